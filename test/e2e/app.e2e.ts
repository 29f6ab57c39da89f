/// <reference lib="dom" />
// The app in Chromium against the browser host on the real services, keychain and SoftEther server.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startE2eHost, type E2eHost } from './host.js';
import { MALFORMED, nmconnection } from './fixtures.js';

// Screenshots go to test-results/ (ignored by git); CAUSEWAY_SCREENSHOTS=docs refreshes the README's.
const DOCS = fileURLToPath(
  new URL(
    process.env['CAUSEWAY_SCREENSHOTS'] === 'docs' ? '../../docs/' : '../../test-results/screenshots/',
    import.meta.url,
  ),
);
mkdirSync(DOCS, { recursive: true });
let host: E2eHost;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  host = await startE2eHost();
  // Which keychain backs the run is part of what the suite proves: say it.
  console.log(
    `e2e keychain: ${host.keychain}; SoftEther: ${host.softether ? host.softether.host : `skipped (${host.skip})`}`,
  );
});
test.afterAll(async () => {
  await host?.stop();
});

async function open(page: Page): Promise<void> {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
}

async function importFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.getByRole('button', { name: 'Import…' }).click();
  await page.getByTestId('import-file').setInputFiles({ name, mimeType: 'text/plain', buffer: bytes });
}

test('a malformed import file names the line', async ({ page }) => {
  await open(page);
  await importFile(page, 'broken.nmconnection', MALFORMED);
  const err = page.getByTestId('import-error');
  await expect(err).toContainText('broken.nmconnection:4:');
  await expect(err).toContainText('service-type');
  await page.screenshot({ path: join(DOCS, 'import-error.png') });
});

test('import, trust the certificate, connect, watch traffic, read the PPP log, disconnect', async ({ page }) => {
  test.skip(host.softether === null, host.skip ?? 'no SoftEther server');
  const s = host.softether!;
  await open(page);

  await importFile(
    page,
    'lab.nmconnection',
    nmconnection({ name: 'Lab SoftEther', host: s.host, username: s.username, password: s.password }),
  );
  const entry = page.getByTestId('import-entry');
  await expect(entry).toContainText('Lab SoftEther');
  await expect(entry).toContainText(s.host);
  await expect(entry).toContainText('The file has a password for it');
  await page.screenshot({ path: join(DOCS, 'import-preview.png') });
  await page.getByRole('button', { name: /^Save 1 profile/ }).click();
  await expect(page.getByText('1 profile added')).toBeVisible();
  await page.getByRole('button', { name: 'Show profiles' }).click();

  // First connection: the self-signed certificate needs a decision.
  await page.getByRole('button', { name: 'Connect Lab SoftEther' }).click();
  const dialog = page.getByRole('dialog', { name: "Trust this server's certificate?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('certificate')).toContainText('sstp.example.test');
  const groups = s.sha256.toUpperCase().match(/.{2}/g)!;
  await expect(dialog.getByTestId('certificate')).toContainText(groups.slice(0, 4).join(':'));
  await page.screenshot({ path: join(DOCS, 'trust-dialog.png') });
  await dialog.getByRole('button', { name: 'Trust this certificate for this profile' }).click();

  const row = page.locator('li[data-profile="Lab SoftEther"]');
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
  await expect(page.getByTestId('address')).toHaveText(/^\d+\.\d+\.\d+\.\d+$/);

  // Traffic through the session: pings to the server's tunnel address move both counters.
  // The graph shows a live rate while they move and falls back to zero when they stop.
  const before = await page.getByTestId('bytes-in').textContent();
  const rate = page.getByTestId('throughput-now');
  for (let i = 0; i < 5; i++) {
    if (i > 0) await page.waitForTimeout(1100);
    await page.getByRole('button', { name: 'Ping the server through the tunnel' }).click();
    await expect(page.getByText(/Reply from .* in \d+ ms/)).toBeVisible();
    await expect(rate).toHaveText(/^[1-9][\d.]* (B|KiB)\/s in, [1-9]/, { timeout: 2500 });
  }
  await expect(page.getByTestId('bytes-in')).not.toHaveText(before ?? '0 B');
  await expect(page.getByTestId('bytes-out')).not.toHaveText('0 B');
  await page.screenshot({ path: join(DOCS, 'status-connected.png') });
  await expect(rate).toHaveText('0 B/s in, 0 B/s out', { timeout: 8000 });

  // That connection's log holds the PPP negotiation.
  await page.getByRole('tab', { name: 'Logs' }).click();
  const lines = page.getByTestId('log-lines');
  await expect(lines).toContainText('LCP ConfReq');
  await expect(lines).toContainText('IPCP');
  await expect(lines).not.toContainText(s.password);
  await page.getByRole('searchbox').fill('LCP');
  await page.screenshot({ path: join(DOCS, 'logs.png') });
  await page.getByRole('button', { name: 'Export…' }).click();
  await expect(page.getByText(/Saved to /)).toBeVisible();
  const [exported] = await readdir(host.exportsDir);
  const text = await readFile(join(host.exportsDir, exported!), 'utf8');
  expect(text).toContain('LCP');
  expect(text).not.toContain(s.password);

  await page.getByRole('tab', { name: 'Status' }).click();
  await page.getByRole('button', { name: 'Disconnect Lab SoftEther' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'disconnected', { timeout: 20_000 });
});

test('a wrong password shows an explanatory error; the editor validates as you type', async ({ page }) => {
  test.skip(host.softether === null, host.skip ?? 'no SoftEther server');
  const s = host.softether!;
  await open(page);
  await page.getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Wrong password');
  await page.getByLabel('Server host').fill(s.host);
  await page.getByLabel('Port', { exact: true }).fill('99999');
  await expect(page.getByText('must be between 1 and 65535')).toBeVisible();
  await page.screenshot({ path: join(DOCS, 'profile-editor.png') });
  await page.getByLabel('Port', { exact: true }).fill('443');
  await expect(page.getByText('must be between 1 and 65535')).toBeHidden();
  await page.getByLabel('User name', { exact: true }).fill(s.username);
  await page.getByLabel(/^Password/).fill('not-the-password');
  await page.getByLabel('Trusted certificate (SHA-256)').fill(s.sha256);
  await page.getByRole('button', { name: 'Create profile' }).click();

  const row = page.locator('li[data-profile="Wrong password"]');
  await row.getByRole('button', { name: 'Connect Wrong password' }).click();
  await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  const failure = page.getByTestId('failure');
  await expect(failure).toContainText('AUTH');
  await expect(failure).toContainText(/user name or password|credentials/i);
  await page.screenshot({ path: join(DOCS, 'wrong-password.png') });
});

test('dark theme, 200% zoom and keyboard use', async ({ browser }) => {
  const dark = await browser.newPage({ colorScheme: 'dark' });
  await dark.goto(host.url);
  await expect(dark.getByRole('heading', { name: 'Causeway' })).toBeVisible();
  const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(15, 20, 25)');
  await dark
    .locator('li[data-profile="Lab SoftEther"] button.name')
    .click({ timeout: 3000 })
    .catch(() => {});
  await dark.screenshot({ path: join(DOCS, 'dark-theme.png') });
  await dark.close();

  // 200% zoom is half the CSS pixels at twice the density: nothing may need horizontal scrolling.
  const zoomed = await browser.newPage({ viewport: { width: 550, height: 380 }, deviceScaleFactor: 2 });
  await zoomed.goto(host.url);
  await expect(zoomed.getByRole('heading', { name: 'Causeway' })).toBeVisible();
  for (const tab of ['Status', 'Settings', 'Logs']) {
    const t = zoomed.getByRole('tab', { name: tab });
    if (await t.count()) await t.click();
    const overflow = await zoomed.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${tab} fits at 200%`).toBeLessThanOrEqual(0);
  }
  await zoomed
    .getByRole('tab', { name: 'Status' })
    .click({ timeout: 3000 })
    .catch(() => {});
  await zoomed.screenshot({ path: join(DOCS, 'zoom-200.png') });

  // Keyboard: Tab moves from "New profile" to "Import…", Enter opens the wizard.
  await zoomed.getByRole('button', { name: 'New profile' }).focus();
  await zoomed.keyboard.press('Tab');
  await expect(zoomed.getByRole('button', { name: 'Import…' })).toBeFocused();
  await zoomed.keyboard.press('Enter');
  await expect(zoomed.getByRole('heading', { name: 'Import connections' })).toBeVisible();
  await zoomed.close();
});
