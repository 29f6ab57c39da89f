/// <reference lib="dom" />
// Two profiles connected at once from the UI, with the real data plane: the browser host runs in a
// client network namespace (privileged helpers, TUNs, routes there), Chromium beside it. Two split
// profiles to the SoftEther server, each routing its own address behind the hub: both rows say
// connected, each through its own causewayN; the kernel routes each address through its own TUN and
// pings go through both. A third profile wanting a route the first holds is refused with a message
// naming both. Disconnecting the first leaves the second connected and carrying traffic.
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { nmconnection } from './fixtures.js';
import { startNetnsE2eHost, type NetnsE2eHost } from './host.js';
import { CHROMIUM_ARGS } from './playwright.config.js';

const run = promisify(execFile);
const SHOTS = fileURLToPath(
  new URL(
    process.env['CAUSEWAY_SCREENSHOTS'] === 'docs' ? '../../docs/' : '../../test-results/screenshots/',
    import.meta.url,
  ),
);
mkdirSync(SHOTS, { recursive: true });
/** cw-c8 / 10.210.8.0/24: clear of data-plane.e2e.ts (7) and the integration tests' namespaces. */
const NETNS_INDEX = '8';
/** One address behind the hub per split profile. */
const A = '10.77.11.1';
const B = '10.77.12.1';

let host: NetnsE2eHost;
let browser: Browser | undefined;
let wrapperDir: string | undefined;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  host = await startNetnsE2eHost({ CAUSEWAY_E2E_NETNS_INDEX: NETNS_INDEX, CAUSEWAY_E2E_EXTRA_ADDRESSES: `${A},${B}` });
  if (host.skip !== null) return;
  wrapperDir = mkdtempSync(join(tmpdir(), 'causeway-e2e-chromium-'));
  const wrapper = join(wrapperDir, 'chromium');
  const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${host.netns} ${chromiumPath} "$@"\n`);
  chmodSync(wrapper, 0o755);
  browser = await chromium.launch({ executablePath: wrapper, args: CHROMIUM_ARGS });
});
test.afterAll(async () => {
  await browser?.close();
  await host?.stop();
  if (wrapperDir) rmSync(wrapperDir, { recursive: true, force: true });
});

async function routeDev(address: string): Promise<string> {
  try {
    const r = await run('ip', ['-n', host.netns, '-j', 'route', 'get', address]);
    return (JSON.parse(r.stdout) as { dev: string }[])[0]?.dev ?? 'none';
  } catch {
    return 'unreachable';
  }
}

async function links(): Promise<string[]> {
  const r = await run('ip', ['-n', host.netns, '-j', 'link', 'show']);
  return (JSON.parse(r.stdout) as { ifname: string }[]).map((l) => l.ifname);
}

/** Three echoes from the client namespace; throws (failing the test) when none comes back. */
async function ping(address: string): Promise<void> {
  await run('ip', ['netns', 'exec', host.netns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', address]);
}

async function importProfile(page: Page, name: string, uuid: string, route: string): Promise<void> {
  const s = host.softether;
  await page.getByRole('button', { name: 'Import…' }).click();
  await page.getByTestId('import-file').setInputFiles({
    name: `${uuid}.nmconnection`,
    mimeType: 'text/plain',
    buffer: nmconnection({
      name,
      host: s.host,
      username: s.username,
      password: s.password,
      routes: [`${route}/32`],
      uuid,
    }),
  });
  await page.getByRole('button', { name: /^Save 1 profile/ }).click();
  await expect(page.getByText('1 profile added')).toBeVisible();
  await page.getByRole('button', { name: 'Show profiles' }).click();
}

/** Connect from the list; the first connect of a profile asks to trust the server's certificate. */
async function connectAndTrust(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: `Connect ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: "Trust this server's certificate?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Trust this certificate for this profile' }).click();
  const row = page.locator(`li[data-profile="${name}"]`);
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
  const via = row.getByTestId('row-interface');
  await expect(via).toHaveText(/^via causeway\d+ · /);
  return /via (causeway\d+)/.exec((await via.textContent()) ?? '')?.[1] ?? '';
}

test('two split profiles connected at once: own TUN and route each, traffic through both; a clashing route is refused; one disconnect leaves the other up', async () => {
  test.skip(host.skip !== null, host.skip ?? '');
  const page = await browser!.newPage({ viewport: { width: 1100, height: 760 } });
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
  await importProfile(page, 'Lab A', '6a0d1f7e-1111-4c55-9d1c-3f7e2a9b1c01', A);
  await importProfile(page, 'Lab B', '6a0d1f7e-2222-4c55-9d1c-3f7e2a9b1c02', B);
  await importProfile(page, 'Lab C', '6a0d1f7e-3333-4c55-9d1c-3f7e2a9b1c03', A);

  const ifA = await connectAndTrust(page, 'Lab A');
  const ifB = await connectAndTrust(page, 'Lab B');
  const rowA = page.locator('li[data-profile="Lab A"]');
  const rowB = page.locator('li[data-profile="Lab B"]');
  // Both stay connected, each on its own interface with its own route, and the list says so.
  await expect(rowA.locator('[data-state]')).toHaveAttribute('data-state', 'connected');
  expect(ifA).not.toBe(ifB);
  await expect(rowA.getByTestId('row-interface')).toHaveText(`via ${ifA} · ${A}/32`);
  await expect(rowB.getByTestId('row-interface')).toHaveText(`via ${ifB} · ${B}/32`);
  await expect(page.getByTestId('connected-count')).toHaveText('2 profiles connected');
  // The status view is the selected profile's (the last one connected).
  await expect(page.getByTestId('interface')).toHaveText(new RegExp(`^${ifB} \\(MTU \\d+\\)$`));

  // The kernel agrees: each address through its own TUN, nothing else routed into either.
  const present = await links();
  expect(present).toContain(ifA);
  expect(present).toContain(ifB);
  expect(await routeDev(A)).toBe(ifA);
  expect(await routeDev(B)).toBe(ifB);
  expect(await routeDev(host.bridgeAddress)).not.toBe(ifA);
  expect(await routeDev(host.bridgeAddress)).not.toBe(ifB);
  await ping(A);
  await ping(B);
  await page.screenshot({ path: join(SHOTS, 'two-profiles.png') });

  // Lab C wants Lab A's route: refused before anything starts, saying what to do.
  await page.getByRole('button', { name: 'Connect Lab C' }).click();
  const rowC = page.locator('li[data-profile="Lab C"]');
  await expect(rowC.getByRole('alert')).toHaveText(
    `Route ${A}/32 is in both "Lab A" (connected) and "Lab C": only one of them could get it. ` +
      'Disconnect "Lab A" first, or give each profile its own routes.',
  );
  await expect(rowC.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect(await routeDev(A)).toBe(ifA);

  // Disconnect A: its TUN and route go, B stays connected and still carries traffic.
  await page.getByRole('button', { name: 'Disconnect Lab A' }).click();
  await expect(rowA.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected', { timeout: 20_000 });
  await expect.poll(links, { timeout: 5_000 }).not.toContain(ifA);
  expect(await routeDev(A)).not.toBe(ifA);
  await expect(rowB.locator('[data-state]')).toHaveAttribute('data-state', 'connected');
  await expect(rowB.getByTestId('row-interface')).toHaveText(`via ${ifB} · ${B}/32`);
  await expect(page.getByTestId('connected-count')).toHaveCount(0);
  expect(await routeDev(B)).toBe(ifB);
  await ping(B);
  await page.screenshot({ path: join(SHOTS, 'two-profiles-one-left.png') });

  await page.getByRole('button', { name: 'Disconnect Lab B' }).click();
  await expect(rowB.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected', { timeout: 20_000 });
  await expect.poll(links, { timeout: 5_000 }).not.toContain(ifB);
  await page.close();
});
