// A PEM client certificate through the real backend: the editor sends the key file it read (and its
// passphrase); main decrypts it, keeps it in the keychain only, and answers "saved: yes/no". A wrong
// passphrase is an issue on the key field and nothing is saved; a key of another certificate is said
// next to the field after saving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { createBackend } from '../../../../main/backend/index.js';
import type { Channel, PayloadInput, ResponseEnvelope } from '../../../../main/contract/index.js';
import { issue } from '../trust/helpers/certs.js';
import { setup } from './setup.js';

const KEY_PASS = 'key-pass-52e1';

async function backendOn() {
  const s = await setup();
  const backend = createBackend({
    store: s.store,
    credentials: s.credentials,
    logs: s.logs,
    connections: s.service,
    caDir: join(s.dir, 'config', 'ca'),
    host: {
      kind: 'browser',
      version: '0',
      platform: 'linux',
      chooseExportPath: async () => null,
      autostart: { get: async () => false, set: async () => undefined },
    },
  });
  const d = backend.dispatcher<null>({ isTrustedSender: () => true });
  const wire: string[] = [];
  const call = async <C extends Channel>(c: C, p: PayloadInput<C>) => {
    const r = (await d(null, c, p)) as ResponseEnvelope<C>;
    wire.push(JSON.stringify(r));
    if (!r.ok) throw new Error(r.error.message);
    return r.result;
  };
  return { ...s, call, wire };
}

test('a PEM key goes to the keychain decrypted, never to disk or back to the renderer; a wrong passphrase saves nothing', async () => {
  const b = await backendOn();
  try {
    const me = issue({ cn: 'alice@example.test' });
    const certFile = join(b.dir, 'me.crt');
    await writeFile(certFile, me.pem);
    const keyPem = forge.pki.privateKeyToPem(me.key);
    const encrypted = createPrivateKey(keyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: KEY_PASS })
      .toString();
    const draft = {
      name: 'PEM cert',
      server: { host: 'vpn.example.test' },
      username: 'alice',
      tls: { clientCertificate: { certificateFile: certFile } },
    };

    const wrong = await b.call('profiles.create', {
      draft,
      clientKey: { fileName: 'me.key', pem: encrypted, passphrase: 'nope' },
    });
    assert.ok(!wrong.ok && wrong.error.kind === 'invalid', JSON.stringify(wrong));
    assert.deepEqual(
      wrong.error.issues.map((i) => i.path),
      ['tls.clientCertificate.key'],
    );
    const none = await b.call('profiles.list', undefined);
    assert.ok(none.ok && !none.profiles.some((v) => v.profile.name === 'PEM cert'), 'nothing was saved');

    const r = await b.call('profiles.create', {
      draft,
      clientKey: { fileName: 'me.key', pem: encrypted, passphrase: KEY_PASS },
    });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.fieldWarnings, undefined, 'the key belongs to the certificate');
    const stored = await b.credentials.get(r.profile.id, 'client-key');
    assert.ok(stored.ok && stored.value?.startsWith('-----BEGIN PRIVATE KEY-----'));
    const list = await b.call('profiles.list', undefined);
    assert.ok(list.ok);
    assert.equal(list.profiles.find((v) => v.profile.id === r.profile.id)?.secrets.clientKey, true);
    const onDisk = await readFile(join(b.dir, 'config', 'profiles.json'), 'utf8');
    const keyBody = (stored.ok ? (stored.value ?? '') : '').split('\n')[1] ?? 'x';
    for (const secret of [KEY_PASS, keyBody, encrypted.split('\n')[1] ?? 'x']) {
      assert.ok(!onDisk.includes(secret), 'no key material in the profile file');
      assert.ok(!b.wire.join('\n').includes(secret), 'no key material in any response');
    }

    // Another certificate's key: saved (the profile is the user's), and said next to the field.
    const other = issue({ cn: 'mallory' });
    const mismatched = await b.call('profiles.update', {
      id: r.profile.id,
      draft,
      clientKey: { fileName: 'other.key', pem: forge.pki.privateKeyToPem(other.key) },
    });
    assert.ok(mismatched.ok);
    assert.match(mismatched.fieldWarnings?.[0]?.message ?? '', /does not belong to the certificate/);
  } finally {
    await b.cleanup();
  }
});

test('import: an entry with a client certificate takes its PKCS#12 passphrase or PEM key into the keychain; a bad key saves nothing', async () => {
  const b = await backendOn();
  try {
    const me = issue({ cn: 'bob@example.test' });
    const certFile = join(b.dir, 'bob.crt');
    await writeFile(certFile, me.pem);
    const profiles = [
      {
        name: 'P12 entry',
        server: { host: 'a.example.test' },
        username: 'bob',
        tls: { clientCertificate: { pkcs12File: join(b.dir, 'bob.p12') } },
      },
      {
        name: 'PEM entry',
        server: { host: 'b.example.test' },
        username: 'bob',
        tls: { clientCertificate: { certificateFile: certFile } },
      },
    ];
    const content = Buffer.from(JSON.stringify({ format: 'causeway-profiles', version: 1, profiles })).toString(
      'base64',
    );
    const bad = await b.call('import.preview', { fileName: 'certs.json', contentBase64: content });
    assert.ok(bad.ok);
    const refused = await b.call('import.commit', {
      importId: bad.importId,
      entries: [{ index: 1, clientKey: { fileName: 'bob.key', pem: 'not a key' } }],
    });
    assert.ok(refused.ok && refused.saved.length === 0);
    assert.match(refused.failed[0]?.message ?? '', /Not saved: bob\.key holds no PEM private key/);

    const p = await b.call('import.preview', { fileName: 'certs.json', contentBase64: content });
    assert.ok(p.ok);
    const r = await b.call('import.commit', {
      importId: p.importId,
      entries: [
        { index: 0, pkcs12Passphrase: 'p12-pass-import' },
        { index: 1, clientKey: { fileName: 'bob.key', pem: forge.pki.privateKeyToPem(me.key) } },
      ],
    });
    assert.ok(r.ok && r.saved.length === 2, JSON.stringify(r));
    const [p12, pem] = r.saved;
    assert.deepEqual(await b.credentials.get(p12?.profile.id ?? '', 'pkcs12-passphrase'), {
      ok: true,
      value: 'p12-pass-import',
    });
    // The missing .p12 file is said at once rather than at connect time.
    assert.match(p12?.warning ?? '', /Cannot read the client certificate/);
    const key = await b.credentials.get(pem?.profile.id ?? '', 'client-key');
    assert.ok(key.ok && key.value?.startsWith('-----BEGIN PRIVATE KEY-----'));
    assert.equal(pem?.warning, undefined);
    assert.ok(!(await readFile(join(b.dir, 'config', 'profiles.json'), 'utf8')).includes('PRIVATE KEY'));
  } finally {
    await b.cleanup();
  }
});
