/// <reference lib="dom" />
// The profile editor's secrets and files, and the app's preferences, on the real services and keychain
// (no VPN server needed): a proxy password and a PKCS#12 passphrase go to the keychain and never come
// back or reach the profile file; a chosen CA file is checked at once and stored as Causeway's copy;
// start-at-login is saved and survives a reload; a split profile's DNS search domains are saved as the
// schema's list and refused inline when one is not a domain name.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startE2eHost, type E2eHost } from './host.js';
import { issue } from '../unit/services/trust/helpers/certs.js';
import { validateProfile } from '../../main/contract/profile.js';

const DOCS = fileURLToPath(
  new URL(
    process.env['CAUSEWAY_SCREENSHOTS'] === 'docs' ? '../../docs/' : '../../test-results/screenshots/',
    import.meta.url,
  ),
);
mkdirSync(DOCS, { recursive: true });
const PROXY_PASSWORD = 'proxy-Secret-e2e-5521';
const PASSPHRASE = 'p12-Passphrase-e2e-8830';
let host: E2eHost;
/** Every WebSocket frame main sent to the page during the test. */
let received: string[] = [];

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  host = await startE2eHost({ server: false });
});
test.afterAll(async () => {
  await host?.stop();
});

async function open(page: Page): Promise<void> {
  page.on('websocket', (ws) =>
    ws.on(
      'framereceived',
      (f) => void received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8')),
    ),
  );
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
}

test('proxy password, PKCS#12 passphrase and a CA file: saved where they belong, never sent back', async ({ page }) => {
  received = [];
  await open(page);
  await page.getByRole('banner').getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Behind a proxy');
  await page.getByLabel('Server host').fill('vpn.example.test');
  await page.getByLabel('User name', { exact: true }).fill('alice');
  await page.getByLabel('HTTP proxy host (empty: none)').fill('proxy.example.test');
  await page.getByLabel('Proxy port').fill('3128');
  await page.getByLabel('Proxy user name').fill('alice');
  await page.getByLabel(/^Proxy password/).fill(PROXY_PASSWORD);

  // The PKCS#12 file is referenced by path: relative paths are refused as you type.
  await page.getByLabel('Client certificate (mutual TLS and EAP-TLS)').selectOption('pkcs12');
  const p12 = page.getByLabel(/^Client certificate: path/);
  await p12.fill('certs/alice.p12');
  await expect(page.getByText('must be an absolute path (starting with /)')).toBeVisible();
  await p12.fill(join(host.dataDir, 'alice.p12'));
  await expect(page.getByText('must be an absolute path (starting with /)')).toBeHidden();
  await page.getByLabel(/^Client certificate passphrase/).fill(PASSPHRASE);

  // A CA file: something else is refused next to the field; a certificate is described.
  const ca = page.getByLabel(/^CA certificate/);
  await ca.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a certificate') });
  await expect(page.getByTestId('ca-error')).toContainText('notes.txt: Not an X.509 certificate');
  const root = issue({ cn: 'Proxy Lab Root CA', isCa: true });
  await ca.setInputFiles({ name: 'lab-root.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(root.pem) });
  await expect(page.getByTestId('ca-certificate')).toContainText('Proxy Lab Root CA');
  await expect(page.getByTestId('ca-error')).toBeEmpty();
  await expect(page.getByTestId('ca-current')).toContainText('lab-root.pem will be copied');
  await page.getByRole('button', { name: 'Create profile' }).click();

  // Saved: the missing PKCS#12 file is pointed out next to its field, in the new profile's editor.
  await expect(page.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#f-p12-err')).toContainText('Cannot read the client certificate');
  await expect(page.getByText('Saved; see the note next to a field.')).toBeVisible();
  await expect(page.getByTestId('f-ppass-state')).toHaveText('Saved in the keychain; type to replace it.');
  await expect(page.getByTestId('f-p12pass-state')).toHaveText('Saved in the keychain; type to replace it.');
  await expect(page.getByTestId('ca-current')).toContainText(join(host.dataDir, 'config', 'ca'));
  await page.getByLabel(/^Client certificate: path/).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(DOCS, 'profile-secrets.png') });

  const file = await readFile(join(host.dataDir, 'config', 'profiles.json'), 'utf8');
  const profile = (
    JSON.parse(file) as { profiles: { name: string; id: string; tls: { caFile?: string }; proxy?: object }[] }
  ).profiles.find((p) => p.name === 'Behind a proxy');
  expect(profile?.proxy).toEqual({ host: 'proxy.example.test', port: 3128, username: 'alice' });
  expect(profile?.tls.caFile).toBe(join(host.dataDir, 'config', 'ca', `${profile?.id}.pem`));
  expect(await readFile(profile!.tls.caFile!, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
  for (const secret of [PROXY_PASSWORD, PASSPHRASE]) {
    expect(file, 'no secret in the profile file').not.toContain(secret);
    expect(received.join('\n'), 'no secret in anything main sent').not.toContain(secret);
  }

  // After a reload (a fresh load: the page drops its token from the address bar) the editor still knows
  // only "saved"; Forget removes the proxy password.
  await page.goto(host.url);
  await page.locator('li[data-profile="Behind a proxy"] button.name').click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByTestId('f-ppass-state')).toHaveText('Saved in the keychain; type to replace it.');
  await expect(page.getByLabel(/^Proxy password/)).toHaveValue('');
  await page.getByRole('button', { name: 'Forget the saved proxy password' }).click();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('f-p12pass-state')).toHaveText('Saved in the keychain; type to replace it.');
  await expect(page.getByTestId('f-ppass-state')).toHaveText('Not saved.');
  expect(received.join('\n')).not.toContain(PROXY_PASSWORD);
});

test('start at login is saved and survives a reload; the browser host says it has no effect here', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Preferences' }).click();
  const box = page.getByRole('checkbox', { name: 'Start Causeway when I log in' });
  await expect(box).not.toBeChecked();
  await expect(page.getByTestId('autostart-note')).toContainText('nothing starts at login');
  await box.check();
  await expect(page.getByText('Saved.')).toBeVisible();
  await page.screenshot({ path: join(DOCS, 'preferences.png') });
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Preferences' }).click();
  await expect(page.getByRole('checkbox', { name: 'Start Causeway when I log in' })).toBeChecked();
  expect(JSON.parse(await readFile(join(host.dataDir, 'config', 'host-settings.json'), 'utf8'))).toMatchObject({
    autostart: true,
  });
  await page.getByRole('checkbox', { name: 'Start Causeway when I log in' }).uncheck();
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Preferences' }).click();
  await expect(page.getByRole('checkbox', { name: 'Start Causeway when I log in' })).not.toBeChecked();
});

/** The named profile as the profile file holds it, read back through the contract's own schema. */
async function storedProfile(name: string) {
  const file = JSON.parse(await readFile(join(host.dataDir, 'config', 'profiles.json'), 'utf8')) as {
    profiles: { name: string }[];
  };
  const r = validateProfile(file.profiles.find((p) => p.name === name));
  if (!r.ok) throw new Error(`stored profile does not validate: ${JSON.stringify(r.issues)}`);
  return r.value;
}

test('DNS search domains on a split profile: saved as the list, shown on reopening, an invalid one refused inline', async ({
  page,
}) => {
  await open(page);
  await page.getByRole('banner').getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Split with search');
  await page.getByLabel('Server host').fill('vpn.example.test');
  await page.getByLabel('User name', { exact: true }).fill('alice');
  // Full tunnel: no field (every name goes to the VPN's DNS there).
  await expect(page.getByLabel('DNS search domains')).toHaveCount(0);
  await page.getByRole('radio', { name: 'Only these networks' }).check();
  await page.getByLabel('Networks (CIDR, one per line)').fill('10.20.0.0/16');
  const domains = page.getByLabel('DNS search domains');
  await expect(page.locator('#f-search-help')).toContainText("a full tunnel sends every name to the VPN's DNS anyway");
  await domains.fill('corp.test, lab.test');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByRole('tab', { name: 'Status' })).toHaveAttribute('aria-selected', 'true');
  expect((await storedProfile('Split with search')).dnsSearchDomains).toEqual(['corp.test', 'lab.test']);

  // Reopened after a fresh load: the field shows what was saved.
  await page.goto(host.url);
  await page.locator('li[data-profile="Split with search"] button.name').click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByLabel('DNS search domains')).toHaveValue('corp.test, lab.test');

  // Not a domain name: the schema's message next to the field as you type, and Save stores nothing.
  await page.getByLabel('DNS search domains').fill('corp.test bad..name');
  await expect(page.locator('#f-search-err')).toHaveText('not a domain name');
  await expect(page.getByLabel('DNS search domains')).toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Some fields need attention.' })).toBeVisible();
  await expect(page.locator('#f-search-err')).toHaveText('not a domain name');
  expect((await storedProfile('Split with search')).dnsSearchDomains).toEqual(['corp.test', 'lab.test']);
});
