/// <reference lib="dom" />
// A PEM client certificate in the profile editor, on the real services and keychain: the certificate
// stays in its file (referenced by path), the private key file is read by the page, decrypted by main
// and kept in the keychain only — never in the profile file, never sent back. A wrong key passphrase
// is said next to the key field and nothing is saved. The no-authentication opt-in shows its warning.
import { expect, test, type Page } from '@playwright/test';
import { createPrivateKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { startE2eHost, type E2eHost } from './host.js';
import { issue } from '../unit/services/trust/helpers/certs.js';

const KEY_PASS = 'key-Passphrase-e2e-4471';
let host: E2eHost;
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

test('PEM certificate + encrypted key: a wrong passphrase saves nothing; the right one puts the key in the keychain only', async ({
  page,
}) => {
  received = [];
  const me = issue({ cn: 'alice@corp.example.test' });
  const certFile = join(host.dataDir, 'alice.crt');
  await writeFile(certFile, me.pem);
  const keyPem = createPrivateKey(forge.pki.privateKeyToPem(me.key))
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: KEY_PASS })
    .toString();
  const keyBody = keyPem.split('\n')[1] ?? 'unlikely';

  await open(page);
  await page.getByRole('banner').getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Cert sign-in');
  await page.getByLabel('Server host').fill('vpn.corp.example.test');
  await page.getByLabel('User name', { exact: true }).fill('alice');
  await page.getByLabel('Client certificate (mutual TLS and EAP-TLS)').selectOption('pem');
  await page.getByLabel(/^Client certificate: path of the PEM/).fill(certFile);
  await page
    .getByLabel('Private key (PEM file)')
    .setInputFiles({ name: 'alice.key', mimeType: 'application/x-pem-file', buffer: Buffer.from(keyPem) });
  await expect(page.getByTestId('client-key-state')).toContainText(
    'alice.key will be decrypted and kept in the keychain',
  );

  // The no-authentication opt-in is a visible warning, not a silent switch.
  await page.getByLabel(/Allow a server that asks for no authentication/).check();
  await expect(page.getByTestId('no-auth-warning')).toContainText('nothing will prove the server is yours');
  await page.getByLabel(/Allow a server that asks for no authentication/).uncheck();

  await page.getByLabel(/^Private key passphrase/).fill('wrong-one');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.locator('#f-cckey-err')).toContainText('alice.key is wrong');
  let file = await readFile(join(host.dataDir, 'config', 'profiles.json'), 'utf8').catch(() => '{"profiles":[]}');
  expect(file).not.toContain('Cert sign-in');

  await page.getByLabel(/^Private key passphrase/).fill(KEY_PASS);
  await page.getByRole('button', { name: 'Create profile' }).click();
  // Saved without a note (the key belongs to the certificate): the app shows the profile's status.
  await expect(page.getByRole('tab', { name: 'Status' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByTestId('client-key-state')).toHaveText(
    'A private key is saved in the keychain; choose a file to replace it.',
  );
  await expect(page.locator('#f-cckey-err')).toHaveCount(0);

  file = await readFile(join(host.dataDir, 'config', 'profiles.json'), 'utf8');
  const profile = (
    JSON.parse(file) as { profiles: { name: string; tls: { clientCertificate?: object } }[] }
  ).profiles.find((p) => p.name === 'Cert sign-in');
  expect(profile?.tls.clientCertificate).toEqual({ certificateFile: certFile });
  for (const secret of [KEY_PASS, keyBody, 'PRIVATE KEY']) {
    expect(file, 'no key material in the profile file').not.toContain(secret);
    expect(received.join('\n'), 'no key material in anything main sent').not.toContain(secret);
  }

  // After a reload the editor still knows only "saved".
  await page.goto(host.url);
  await page.locator('li[data-profile="Cert sign-in"] button.name').click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByLabel('Client certificate (mutual TLS and EAP-TLS)')).toHaveValue('pem');
  await expect(page.getByTestId('client-key-state')).toHaveText(
    'A private key is saved in the keychain; choose a file to replace it.',
  );
});

test('the import wizard takes the private key of an imported PEM client certificate into the keychain', async ({
  page,
}) => {
  received = [];
  const bob = issue({ cn: 'bob@corp.example.test' });
  const certFile = join(host.dataDir, 'bob.crt');
  await writeFile(certFile, bob.pem);
  const keyPem = forge.pki.privateKeyToPem(bob.key);
  const exported = {
    format: 'causeway-profiles',
    version: 1,
    profiles: [
      {
        name: 'Imported cert',
        server: { host: 'vpn2.corp.example.test' },
        username: 'bob',
        tls: { clientCertificate: { certificateFile: certFile } },
      },
    ],
  };

  await open(page);
  await page.getByRole('button', { name: 'Import…' }).click();
  await page.getByTestId('import-file').setInputFiles({
    name: 'cert-profile.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(exported)),
  });
  const cert = page.getByTestId('import-client-certificate');
  await expect(cert).toContainText(certFile);
  await cert
    .getByLabel(/^Private key \(PEM file\)/)
    .setInputFiles({ name: 'bob.key', mimeType: 'application/x-pem-file', buffer: Buffer.from(keyPem) });
  await page.getByRole('button', { name: /^Save 1 profile/ }).click();
  await expect(page.getByText('1 profile added')).toBeVisible();

  await page.getByRole('button', { name: 'Show profiles' }).click();
  await page.locator('li[data-profile="Imported cert"] button.name').click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByTestId('client-key-state')).toHaveText(
    'A private key is saved in the keychain; choose a file to replace it.',
  );
  const file = await readFile(join(host.dataDir, 'config', 'profiles.json'), 'utf8');
  expect(file).not.toContain('PRIVATE KEY');
  expect(received.join('\n')).not.toContain(keyPem.split('\n')[1] ?? 'unlikely');
});
