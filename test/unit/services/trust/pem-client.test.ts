// Client certificates as PEM (key imported into the keychain) and the checks both kinds share:
// expired, not yet valid, not for client authentication, key and certificate not a pair. Each is a
// typed error with advice; `now` is passed in, so no test depends on today's date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { importPrivateKey, openPemClientCertificate } from '../../../../main/services/trust/pem-client.js';
import { loadClientCertificate } from '../../../../main/services/trust/pkcs12.js';
import { openPkcs12 } from '../../../../main/services/trust/pkcs12-open.js';
import { MemoryCredentialStore } from '../../../../main/services/credentials/memory-store.js';

const NOW = new Date('2030-06-01T12:00:00Z');
const DAY = 86_400_000;

interface Made {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

function make(o: { cn?: string; eku?: 'client' | 'server' | 'none'; from?: Date; to?: Date } = {}): Made {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '0a1b';
  cert.validity.notBefore = o.from ?? new Date(NOW.getTime() - 30 * DAY);
  cert.validity.notAfter = o.to ?? new Date(NOW.getTime() + 30 * DAY);
  const subject = [{ name: 'commonName', value: o.cn ?? 'alice@example.test' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const eku = o.eku ?? 'client';
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    ...(eku === 'none' ? [] : [{ name: 'extKeyUsage', clientAuth: eku === 'client', serverAuth: eku === 'server' }]),
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
    cert,
    key: keys.privateKey,
  };
}

const good = make();

test('a plain key imports as PKCS#8; an encrypted one needs its passphrase, and a wrong one is told apart', () => {
  const plain = importPrivateKey(good.keyPem, undefined, 'me.key');
  assert.ok(plain.ok);
  assert.match(plain.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  const encrypted = createPrivateKey(good.keyPem)
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'key-pass' })
    .toString();
  const missing = importPrivateKey(encrypted, undefined, 'me.key');
  assert.ok(!missing.ok && missing.error.kind === 'passphrase-missing', JSON.stringify(missing));
  const wrong = importPrivateKey(encrypted, 'nope', 'me.key');
  assert.ok(!wrong.ok && wrong.error.kind === 'wrong-passphrase', JSON.stringify(wrong));
  assert.match(wrong.ok ? '' : wrong.error.message, /passphrase .* me\.key is wrong/);
  const right = importPrivateKey(encrypted, 'key-pass', 'me.key');
  assert.ok(right.ok && right.keyPem === plain.keyPem);
  const notKey = importPrivateKey(good.certPem, undefined, 'me.crt');
  assert.ok(!notKey.ok && notKey.error.kind === 'not-a-key');
});

test('a good PEM pair packs into a PKCS#12 that TLS accepts, with the certificate described', async () => {
  const r = await openPemClientCertificate(good.certPem, good.keyPem, '/certs/me.crt', NOW);
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(r.value.certificate?.subject ?? '', /alice@example\.test/);
  createSecureContext({ pfx: r.value.pfx, passphrase: r.value.passphrase });
});

test('expired, not yet valid, not for client authentication, and a key of another certificate: typed errors with advice', async () => {
  const expired = make({ to: new Date(NOW.getTime() - DAY) });
  const e = await openPemClientCertificate(expired.certPem, expired.keyPem, '/certs/old.crt', NOW);
  assert.ok(!e.ok && e.error.kind === 'expired', JSON.stringify(e));
  assert.match(e.error.message, /expired on 2030-05-31.*new one/);

  const future = make({ from: new Date(NOW.getTime() + DAY) });
  const f = await openPemClientCertificate(future.certPem, future.keyPem, '/certs/new.crt', NOW);
  assert.ok(!f.ok && f.error.kind === 'not-yet-valid');

  const server = make({ eku: 'server' });
  const s = await openPemClientCertificate(server.certPem, server.keyPem, '/certs/server.crt', NOW);
  assert.ok(!s.ok && s.error.kind === 'not-client-auth', JSON.stringify(s));
  assert.match(s.error.message, /without clientAuth/);
  // No extended key usage at all means any use (RFC 5280 §4.2.1.12).
  const any = make({ eku: 'none' });
  assert.ok((await openPemClientCertificate(any.certPem, any.keyPem, '/certs/any.crt', NOW)).ok);

  const other = make({ cn: 'mallory' });
  const m = await openPemClientCertificate(good.certPem, other.keyPem, '/certs/me.crt', NOW);
  assert.ok(!m.ok && m.error.kind === 'key-mismatch', JSON.stringify(m));
  assert.match(m.error.message, /does not belong to the certificate/);

  const notCert = await openPemClientCertificate('hello', good.keyPem, '/certs/x.crt', NOW);
  assert.ok(!notCert.ok && notCert.error.kind === 'not-a-certificate');
});

test('PKCS#12 gets the same checks: expired and not-client-auth', () => {
  const pack = (m: Made) =>
    Buffer.from(
      forge.asn1
        .toDer(forge.pkcs12.toPkcs12Asn1(m.key, [m.cert], 'pw', { algorithm: 'aes256', generateLocalKeyId: true }))
        .getBytes(),
      'binary',
    );
  const expired = openPkcs12(pack(make({ to: new Date(NOW.getTime() - DAY) })), 'pw', 'old.p12', NOW);
  assert.ok(!expired.ok && expired.error.kind === 'expired', JSON.stringify(expired));
  const server = openPkcs12(pack(make({ eku: 'server' })), 'pw', 'server.p12', NOW);
  assert.ok(!server.ok && server.error.kind === 'not-client-auth');
  assert.ok(openPkcs12(pack(good), 'pw', 'me.p12', NOW).ok);
});

test('a profile with a PEM certificate: the key comes from the keychain, and its absence is named', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-pem-'));
  try {
    const file = join(dir, 'me.crt');
    await writeFile(file, good.certPem);
    const credentials = new MemoryCredentialStore();
    const profile = {
      id: 'c0ffee00-0000-4000-8000-000000000002',
      tls: { minVersion: 'TLSv1.2' as const, insecure: false, clientCertificate: { certificateFile: file } },
    };
    const missing = await loadClientCertificate(profile, credentials, NOW);
    assert.ok(!missing.ok && missing.error.kind === 'key-missing', JSON.stringify(missing));
    const imported = importPrivateKey(good.keyPem, undefined);
    assert.ok(imported.ok);
    await credentials.set(profile.id, 'client-key', imported.keyPem);
    const loaded = await loadClientCertificate(profile, credentials, NOW);
    assert.ok(loaded.ok && loaded.value !== undefined, JSON.stringify(loaded));
    createSecureContext({ pfx: loaded.value.pfx, passphrase: loaded.value.passphrase });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
