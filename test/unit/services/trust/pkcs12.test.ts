import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureContext } from 'node:tls';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClientCertificate } from '../../../../main/services/trust/pkcs12.js';
import { openPkcs12 } from '../../../../main/services/trust/pkcs12-open.js';
import { MemoryCredentialStore } from '../../../../main/services/credentials/memory-store.js';
import { certOnlyPkcs12, issue, pkcs12 } from './helpers/certs.js';

const ca = issue({ cn: 'Client CA', isCa: true });
const client = issue({ cn: 'alice@example.test', issuer: ca, bits: 2048 });
const PASS = 'correct horse';
const ID = 'c0ffee00-0000-4000-8000-000000000001';

test('a good PKCS#12 opens into { pfx, passphrase } that TLS accepts, with the client certificate described', () => {
  const pfx = pkcs12(client, PASS, [ca]);
  const r = openPkcs12(pfx, PASS, 'me.p12');
  assert.ok(r.ok);
  assert.equal(r.value.passphrase, PASS);
  assert.ok(r.value.pfx.equals(pfx));
  assert.equal(r.value.reencoded, false);
  assert.equal(r.value.certificate?.subject, 'CN=alice@example.test, O=Causeway Tests');
  createSecureContext({ pfx: r.value.pfx, passphrase: r.value.passphrase });
});

test('wrong passphrase, not a PKCS#12, and no private key are distinct errors', () => {
  const wrong = openPkcs12(pkcs12(client, PASS), 'nope', 'me.p12');
  assert.ok(!wrong.ok && wrong.error.kind === 'wrong-passphrase');
  assert.equal(wrong.error.message.includes('nope'), false);
  const garbage = openPkcs12(Buffer.from('-----BEGIN CERTIFICATE-----\n'), PASS, 'me.p12');
  assert.ok(!garbage.ok && garbage.error.kind === 'not-pkcs12');
  const pem = openPkcs12(Buffer.from(client.pem), PASS, 'me.p12');
  assert.ok(!pem.ok && pem.error.kind === 'not-pkcs12');
  const noKey = openPkcs12(certOnlyPkcs12(client, PASS), PASS, 'me.p12');
  assert.ok(!noKey.ok && noKey.error.kind === 'incomplete');
});

test('loadClientCertificate takes the passphrase from the credential store', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-p12-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'me.p12');
  await writeFile(file, pkcs12(client, PASS));
  const profile = {
    id: ID,
    tls: { minVersion: 'TLSv1.2' as const, insecure: false, clientCertificate: { pkcs12File: file } },
  };
  const creds = new MemoryCredentialStore();

  const none = await loadClientCertificate({ id: ID, tls: { minVersion: 'TLSv1.2', insecure: false } }, creds);
  assert.deepEqual(none, { ok: true, value: undefined });

  const missing = await loadClientCertificate(profile, creds);
  assert.ok(!missing.ok && missing.error.kind === 'passphrase-missing');

  await creds.set(ID, 'pkcs12-passphrase', 'wrong one');
  const wrong = await loadClientCertificate(profile, creds);
  assert.ok(!wrong.ok && wrong.error.kind === 'wrong-passphrase');

  await creds.set(ID, 'pkcs12-passphrase', PASS);
  const ok = await loadClientCertificate(profile, creds);
  assert.ok(ok.ok && ok.value?.passphrase === PASS);

  creds.unavailable = true;
  const locked = await loadClientCertificate(profile, creds);
  assert.ok(!locked.ok && locked.error.kind === 'keychain-unavailable');
  creds.unavailable = false;

  const gone = await loadClientCertificate(
    { ...profile, tls: { ...profile.tls, clientCertificate: { pkcs12File: join(dir, 'nope.p12') } } },
    creds,
  );
  assert.ok(!gone.ok && gone.error.kind === 'file-unreadable');
});

test('a PKCS#12 without a passphrase opens with nothing stored', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-p12-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'open.p12');
  await writeFile(file, pkcs12(client, ''));
  const r = await loadClientCertificate(
    { id: ID, tls: { minVersion: 'TLSv1.2', insecure: false, clientCertificate: { pkcs12File: file } } },
    new MemoryCredentialStore(),
  );
  assert.ok(r.ok && r.value?.passphrase === '');
});

const legacyOpenssl = spawnSync('openssl', ['pkcs12', '-help']).stderr?.toString().includes('-legacy') ?? false;

test(
  'an old RC2-encrypted export that OpenSSL 3 refuses is re-encoded in memory',
  { skip: !legacyOpenssl && 'openssl without -legacy' },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'causeway-p12-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'key.pem'), (await import('node-forge')).default.pki.privateKeyToPem(client.key));
    await writeFile(join(dir, 'cert.pem'), client.pem);
    const r = spawnSync('openssl', [
      'pkcs12',
      '-export',
      '-legacy',
      '-inkey',
      join(dir, 'key.pem'),
      '-in',
      join(dir, 'cert.pem'),
      '-out',
      join(dir, 'old.p12'),
      '-passout',
      `pass:${PASS}`,
    ]);
    assert.equal(r.status, 0, r.stderr.toString());
    const old = await readFile(join(dir, 'old.p12'));
    assert.throws(() => createSecureContext({ pfx: old, passphrase: PASS }));
    const opened = openPkcs12(old, PASS, 'old.p12');
    assert.ok(opened.ok);
    assert.equal(opened.value.reencoded, true);
    createSecureContext({ pfx: opened.value.pfx, passphrase: PASS });
    assert.equal(opened.value.certificate?.subject, 'CN=alice@example.test, O=Causeway Tests');
  },
);
