// The editor's secrets and files through the real backend: proxy password and PKCS#12 passphrase go to
// the keychain and come back only as "saved: yes/no"; a chosen CA file is imported into Causeway's CA
// folder; a PKCS#12 path is checked as typed and after saving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBackend } from '../../../../main/backend/index.js';
import type { Channel, PayloadInput, ProfileSaveResult, ResponseEnvelope } from '../../../../main/contract/index.js';
import { issue, pkcs12 } from '../trust/helpers/certs.js';
import { setup } from './setup.js';

const PROXY = 'proxy-pass-7f3a';
const PASSPHRASE = 'p12-pass-91bc';

async function backendOn() {
  const s = await setup();
  const caDir = join(s.dir, 'config', 'ca');
  let autostart = false;
  const backend = createBackend({
    store: s.store,
    credentials: s.credentials,
    logs: s.logs,
    connections: s.service,
    caDir,
    host: {
      kind: 'browser',
      version: '0',
      platform: 'linux',
      chooseExportPath: async () => null,
      autostart: { get: async () => autostart, set: async (on) => void (autostart = on) },
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
  return { ...s, caDir, call, wire, backend };
}

const draft = (extra: object = {}) => ({
  name: 'Proxied',
  server: { host: 'vpn.example.test' },
  username: 'bob',
  proxy: { host: 'proxy.example.test', port: 3128, username: 'p' },
  ...extra,
});
const saved = (r: ProfileSaveResult) => {
  assert.ok(r.ok, JSON.stringify(r));
  return r;
};

test('proxy password and PKCS#12 passphrase go to the keychain; the renderer learns only yes/no', async () => {
  const b = await backendOn();
  try {
    const r = saved(
      await b.call('profiles.create', { draft: draft(), proxyPassword: PROXY, pkcs12Passphrase: PASSPHRASE }),
    );
    assert.deepEqual(await b.credentials.get(r.profile.id, 'proxy-password'), { ok: true, value: PROXY });
    assert.deepEqual(await b.credentials.get(r.profile.id, 'pkcs12-passphrase'), { ok: true, value: PASSPHRASE });
    const list = await b.call('profiles.list', undefined);
    assert.ok(list.ok);
    assert.deepEqual(list.profiles.find((v) => v.profile.id === r.profile.id)?.secrets, {
      password: false,
      proxyPassword: true,
      pkcs12Passphrase: true,
      clientKey: false,
    });

    // Forgetting one leaves the other; a secret typed in the same request wins over forgetting it.
    saved(
      await b.call('profiles.update', {
        id: r.profile.id,
        draft: draft(),
        forget: ['proxy-password', 'pkcs12-passphrase'],
        pkcs12Passphrase: 'replaced',
      }),
    );
    assert.deepEqual(await b.credentials.get(r.profile.id, 'proxy-password'), { ok: true, value: undefined });
    assert.deepEqual(await b.credentials.get(r.profile.id, 'pkcs12-passphrase'), { ok: true, value: 'replaced' });

    const onDisk = await readFile(join(b.dir, 'config', 'profiles.json'), 'utf8');
    for (const secret of [PROXY, PASSPHRASE, 'replaced']) {
      assert.ok(!onDisk.includes(secret), 'no secret in the profile file');
      assert.ok(!b.wire.join('\n').includes(secret), 'no secret in any response');
    }
  } finally {
    await b.cleanup();
  }
});

test('a chosen CA file is checked, then imported: the profile points at Causeway’s own copy', async () => {
  const b = await backendOn();
  try {
    const ca = issue({ cn: 'Lab Root', isCa: true });
    const inspected = await b.call('trust.inspectCa', { fileName: 'lab-root.pem', pem: ca.pem });
    assert.ok(inspected.ok);
    assert.match(inspected.certificates[0]?.subject ?? '', /Lab Root/);
    assert.deepEqual(inspected.warnings, []);
    const leaf = await b.call('trust.inspectCa', { fileName: 'leaf.pem', pem: issue({ cn: 'just.a.server' }).pem });
    assert.ok(leaf.ok && /not a CA certificate/.test(leaf.warnings.join()));

    const bad = await b.call('profiles.create', {
      draft: draft({ name: 'Bad CA' }),
      ca: { fileName: 'notes.txt', pem: 'hello' },
    });
    assert.ok(!bad.ok && bad.error.kind === 'invalid');
    assert.equal(bad.error.issues[0]?.path, 'tls.caFile');
    assert.match(bad.error.issues[0]?.message ?? '', /^notes\.txt: Not an X\.509 certificate/);
    const none = await b.call('profiles.list', undefined);
    assert.ok(none.ok && !none.profiles.some((v) => v.profile.name === 'Bad CA'), 'a refused CA saves nothing');

    const r = saved(
      await b.call('profiles.create', {
        draft: draft({ name: 'Private CA' }),
        ca: { fileName: 'lab-root.pem', pem: `junk before\n${ca.pem}` },
      }),
    );
    assert.equal(r.profile.tls.caFile, join(b.caDir, `${r.profile.id}.pem`));
    const copy = await readFile(r.profile.tls.caFile!, 'utf8');
    assert.ok(copy.startsWith('-----BEGIN CERTIFICATE-----') && !copy.includes('junk'), 'a normalized copy');
    const stored = await b.store.get(r.profile.id);
    assert.ok(stored.ok && stored.value.tls.caFile === r.profile.tls.caFile);
  } finally {
    await b.cleanup();
  }
});

test('the PKCS#12 path: absolute as you type; after saving, told next to the field if it does not open', async () => {
  const b = await backendOn();
  try {
    const rel = await b.call('profiles.validate', {
      draft: draft({ tls: { clientCertificate: { pkcs12File: 'me.p12' } } }),
    });
    assert.ok(
      !rel.ok &&
        rel.error.issues.some((i) => i.path === 'tls.clientCertificate.pkcs12File' && /absolute/.test(i.message)),
    );

    const holder = issue({ cn: 'bob' });
    const file = join(b.dir, 'bob.p12');
    await writeFile(file, pkcs12(holder, PASSPHRASE));
    const tls = { clientCertificate: { pkcs12File: file } };
    const wrong = saved(
      await b.call('profiles.create', { draft: draft({ name: 'Cert', tls }), pkcs12Passphrase: 'not-it' }),
    );
    assert.equal(wrong.fieldWarnings?.[0]?.path, 'tls.clientCertificate');
    assert.match(wrong.fieldWarnings?.[0]?.message ?? '', /passphrase .* is wrong/);
    const right = saved(
      await b.call('profiles.update', {
        id: wrong.profile.id,
        draft: draft({ name: 'Cert', tls }),
        pkcs12Passphrase: PASSPHRASE,
      }),
    );
    assert.equal(right.fieldWarnings, undefined);
    const missing = saved(
      await b.call('profiles.update', {
        id: wrong.profile.id,
        draft: draft({ name: 'Cert', tls: { clientCertificate: { pkcs12File: join(b.dir, 'gone.p12') } } }),
      }),
    );
    assert.match(missing.fieldWarnings?.[0]?.message ?? '', /Cannot read the client certificate/);
    assert.ok(!b.wire.join('\n').includes(PASSPHRASE));
  } finally {
    await b.cleanup();
  }
});

test('start at login: stored by the host and read back', async () => {
  const b = await backendOn();
  try {
    assert.deepEqual(await b.call('settings.get', undefined), { ok: true, autostart: false });
    assert.deepEqual(await b.call('settings.setAutostart', { enabled: true }), { ok: true, autostart: true });
    assert.equal((await b.call('app.info', undefined)).autostart, true);
  } finally {
    await b.cleanup();
  }
});
