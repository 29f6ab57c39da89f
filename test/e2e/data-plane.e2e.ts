/// <reference lib="dom" />
// Real tunnels from the UI: the browser host runs in a client network namespace with the system data
// plane (privileged helper, TUN, routes, DNS), and Chromium runs in the same namespace to reach it.
// Connect from the UI, see the interface in the status view, check with `ip route get` that traffic to
// the far side of SoftEther goes through that interface, then disconnect and see it gone.
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
/** Picks cw-c7 / 10.210.7.0/24, clear of the integration tests' namespaces. */
const NETNS_INDEX = '7';

let host: NetnsE2eHost;
let browser: Browser | undefined;
let wrapperDir: string | undefined;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  host = await startNetnsE2eHost({ CAUSEWAY_E2E_NETNS_INDEX: NETNS_INDEX });
  if (host.skip !== null) return;
  // Chromium in the client namespace: Playwright still talks to it over its pipe.
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

async function importAndTrust(page: Page): Promise<void> {
  const s = host.softether;
  await page.getByRole('button', { name: 'Import…' }).click();
  await page.getByTestId('import-file').setInputFiles({
    name: 'lab.nmconnection',
    mimeType: 'text/plain',
    buffer: nmconnection({ name: 'Lab tunnel', host: s.host, username: s.username, password: s.password }),
  });
  await page.getByRole('button', { name: /^Save 1 profile/ }).click();
  await expect(page.getByText('1 profile added')).toBeVisible();
  await page.getByRole('button', { name: 'Show profiles' }).click();
  await page.getByRole('button', { name: 'Connect Lab tunnel' }).click();
  const dialog = page.getByRole('dialog', { name: "Trust this server's certificate?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Trust this certificate for this profile' }).click();
}

test('connect from the UI with the real data plane: interface shown, routes through the TUN, removed on disconnect', async () => {
  test.skip(host.skip !== null, host.skip ?? '');
  const page = await browser!.newPage({ viewport: { width: 1100, height: 760 } });
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
  await importAndTrust(page);

  const row = page.locator('li[data-profile="Lab tunnel"]');
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
  const shown = page.getByTestId('interface');
  await expect(shown).toHaveText(/^causeway\d+ \(MTU \d+\)$/);
  const iface = ((await shown.textContent()) ?? '').split(' ')[0]!;
  await expect(page.getByTestId('routes')).toHaveText('0.0.0.0/0');
  await expect(page.getByTestId('system-dns')).toHaveText('192.168.30.1');

  // The kernel agrees: the far side of SoftEther's bridge is reached through our TUN, the server not.
  expect(await links()).toContain(iface);
  expect(await routeDev(host.bridgeAddress)).toBe(iface);
  expect(await routeDev(host.softether.host)).not.toBe(iface);

  // System traffic (not the app's own ping) goes through the pump and moves the "Sent" counter.
  await run('ip', ['netns', 'exec', host.netns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', host.bridgeAddress]);
  await expect(page.getByTestId('bytes-out')).not.toHaveText('0 B');
  await expect(page.getByTestId('bytes-in')).not.toHaveText('0 B');
  await page.screenshot({ path: join(SHOTS, 'status-tunnel.png') });

  await page.getByRole('button', { name: 'Disconnect Lab tunnel' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected', { timeout: 20_000 });
  await expect.poll(links, { timeout: 5_000 }).not.toContain(iface);
  expect(await routeDev(host.bridgeAddress)).not.toBe(iface);
  await page.close();
});
