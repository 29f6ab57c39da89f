// The keychain backend against a real Secret Service (gnome-keyring on a private session bus).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { keyringToolsPresent, startPrivateKeyring, type PrivateKeyring } from './helpers/private-keyring.js';
import { KeyringCredentialStore } from '../../../main/services/credentials/keyring-store.js';
import { ProfileStore } from '../../../main/services/profiles/store.js';
import { deleteProfile } from '../../../main/services/profiles/delete-profile.js';

const probe = fileURLToPath(new URL('./helpers/credential-probe.ts', import.meta.url));
const skip = keyringToolsPresent() ? false : 'dbus-daemon / gnome-keyring-daemon / dbus-send not installed';

let keyring: PrivateKeyring | undefined;
const started = performance.now();

before(async () => {
  if (skip) return;
  keyring = await startPrivateKeyring({ unlock: true });
  // The keyring binding reads the address when it first talks to the bus, which is after this line.
  process.env['DBUS_SESSION_BUS_ADDRESS'] = keyring.busAddress;
});

after(async () => {
  await keyring?.stop();
});

const ID = 'a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b';
const OTHER = 'b4e2d3c5-6c7f-4081-9bac-1d2e3f4a5b6c';

test('set, get, overwrite and delete each kind of secret', { skip }, async (t) => {
  const t0 = performance.now();
  const store = new KeyringCredentialStore({ service: 'causeway-test' });
  assert.deepEqual(await store.get(ID, 'password'), { ok: true, value: undefined });
  assert.deepEqual(await store.set(ID, 'password', 'p4ss wörd'), { ok: true, value: undefined });
  assert.deepEqual(await store.set(ID, 'proxy-password', 'proxy-secret'), { ok: true, value: undefined });
  assert.deepEqual(await store.set(OTHER, 'password', 'other-secret'), { ok: true, value: undefined });
  assert.deepEqual(await store.get(ID, 'password'), { ok: true, value: 'p4ss wörd' });
  assert.deepEqual(await store.get(ID, 'proxy-password'), { ok: true, value: 'proxy-secret' });
  assert.deepEqual(await store.get(ID, 'pkcs12-passphrase'), { ok: true, value: undefined });

  assert.deepEqual(await store.set(ID, 'password', 'changed'), { ok: true, value: undefined });
  assert.deepEqual(await store.get(ID, 'password'), { ok: true, value: 'changed' });

  assert.deepEqual(await store.delete(ID, 'password'), { ok: true, value: true });
  assert.deepEqual(await store.delete(ID, 'password'), { ok: true, value: false });
  assert.deepEqual(await store.get(ID, 'password'), { ok: true, value: undefined });
  assert.deepEqual(await store.get(OTHER, 'password'), { ok: true, value: 'other-secret' });

  const bad = await store.set(ID, 'password', '');
  assert.ok(!bad.ok && bad.error.kind === 'invalid');
  t.diagnostic(`keychain round trips took ${(performance.now() - t0).toFixed(0)} ms`);
});

test('deleting a profile deletes its secrets, and no secret is ever in the profile file', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-cred-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const credentials = new KeyringCredentialStore({ service: 'causeway-test' });
  const store = new ProfileStore(dir);
  const added = await store.add({
    name: 'Office',
    server: { host: 'vpn.example.test' },
    username: 'alice',
    proxy: { host: 'proxy.example.test', port: 3128, username: 'pxuser' },
    tls: { clientCertificate: { pkcs12File: join(dir, 'me.p12') } },
  });
  assert.ok(added.ok);
  const id = added.value.id;
  const secrets = {
    password: 'Sup3r-Secret-VPN-pw',
    'proxy-password': 'Pr0xy-Secret-pw',
    'pkcs12-passphrase': 'P12-Secret-phrase',
  } as const;
  for (const [kind, secret] of Object.entries(secrets)) {
    assert.ok((await credentials.set(id, kind as keyof typeof secrets, secret)).ok);
  }
  // Touch the profile again so the file is rewritten after the secrets exist.
  assert.ok((await store.update(id, (p) => ({ ...p, mtu: 1400 }))).ok);

  const files = [join(dir, 'profiles.json')];
  if (keyring) files.push(...(await listFiles(keyring.home)));
  for (const file of files) {
    const bytes = await readFile(file);
    for (const secret of Object.values(secrets)) {
      assert.equal(bytes.includes(Buffer.from(secret)), false, `${secret} found in ${file}`);
    }
  }

  const deleted = await deleteProfile({ store, credentials }, id);
  assert.ok(deleted.ok);
  assert.equal(deleted.value.secretsLeft, undefined);
  for (const kind of Object.keys(secrets)) {
    assert.deepEqual(await credentials.get(id, kind as keyof typeof secrets), { ok: true, value: undefined });
  }
});

test('a locked keyring is a typed error that says to unlock or use --password-stdin', { skip }, async (t) => {
  const locked = await startPrivateKeyring({ unlock: true });
  t.after(() => locked.stop());
  locked.lock();
  const out = await runProbe(locked.env);
  assert.equal(out.set.ok, false);
  assert.equal(out.set.error.kind, 'keychain-unavailable');
  assert.equal(out.set.error.reason, 'locked');
  assert.match(out.set.error.message, /Unlock it/);
  assert.match(out.set.error.message, /--password-stdin/);
  assert.equal(JSON.stringify(out).includes('probe-secret-value'), false);
  t.diagnostic(`locked: ${out.set.error.detail}; get → ${JSON.stringify(out.get)}`);
});

test('a secret stored before the keyring was locked reads as "locked", not as "nothing stored"', { skip }, async () => {
  const own = await startPrivateKeyring({ unlock: true });
  try {
    assert.deepEqual((await runProbe(own.env, 'set')).set, { ok: true });
    own.lock();
    const out = await runProbe(own.env, 'get');
    assert.equal(out.get.ok, false);
    assert.equal(out.get.error?.reason, 'locked');
    assert.equal(JSON.stringify(out).includes('probe-secret-value'), false);
  } finally {
    await own.stop();
  }
});

test('a keyring that was never unlocked (no login collection) is a locked keyring to the user', { skip }, async (t) => {
  const fresh = await startPrivateKeyring({ unlock: false });
  t.after(() => fresh.stop());
  const out = await runProbe(fresh.env);
  assert.equal(out.set.ok, false);
  assert.equal(out.set.error.kind, 'keychain-unavailable');
  assert.equal(out.set.error.reason, 'locked');
  t.diagnostic(`never unlocked: ${out.set.error.detail}`);
});

test(
  'a session bus without any Secret Service is its own typed error, and nothing is kept elsewhere',
  { skip },
  async (t) => {
    const bare = await startPrivateKeyring({ unlock: false, secretService: false });
    t.after(() => bare.stop());
    const out = await runProbe(bare.env);
    assert.equal(out.set.ok, false);
    assert.equal(out.set.error.kind, 'keychain-unavailable');
    assert.equal(out.set.error.reason, 'no-secret-service');
    assert.match(out.set.error.message, /gnome-keyring, KWallet or KeePassXC/);
    // Had the library fallen back to the kernel keyring, the read in the same process would have worked.
    assert.equal(out.get.ok, false);
    assert.deepEqual(await listFiles(bare.home).then((f) => f.filter((p) => !p.endsWith('bus.conf'))), []);
    t.diagnostic(`no Secret Service: ${out.set.error.detail}`);
  },
);

test(
  'secrets persist in the Secret Service: a new keyring daemon on the same files reads them back',
  { skip },
  async (t) => {
    const own = await startPrivateKeyring({ unlock: true });
    t.after(() => own.stop());
    const first = await runProbe(own.env);
    assert.deepEqual(first.get, { ok: true, value: 'probe-secret-value' });
    await own.restart();
    const again = await runProbe(own.env, 'get');
    assert.deepEqual(again.get, { ok: true, value: 'probe-secret-value' });
    // And the secret is in the keyring's encrypted file, not in clear anywhere under its home.
    for (const file of await listFiles(own.home)) {
      assert.equal((await readFile(file)).includes(Buffer.from('probe-secret-value')), false, file);
    }
  },
);

test('non-ASCII and long secrets come back byte for byte', { skip }, async () => {
  const store = new KeyringCredentialStore({ service: 'causeway-test' });
  const secrets = [
    'pässwörd',
    '密码🔐',
    'e\u0301 combining',
    'tab\tand "quotes" and \\',
    'x'.repeat(4096),
    ' leading and trailing ',
  ];
  for (const [i, secret] of secrets.entries()) {
    const id = `c0000000-0000-4000-8000-00000000000${i}`;
    assert.deepEqual(await store.set(id, 'password', secret), { ok: true, value: undefined });
    assert.deepEqual(await store.get(id, 'password'), { ok: true, value: secret });
    assert.deepEqual(await store.delete(id, 'password'), { ok: true, value: true });
  }
});

test('many profiles keep their own secrets', { skip }, async (t) => {
  const store = new KeyringCredentialStore({ service: 'causeway-test' });
  const ids = Array.from({ length: 40 }, (_, i) => `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const t0 = performance.now();
  for (const id of ids) {
    assert.ok((await store.set(id, 'password', `pw-${id}`)).ok);
    assert.ok((await store.set(id, 'proxy-password', `proxy-${id}`)).ok);
  }
  for (const id of ids) {
    assert.deepEqual(await store.get(id, 'password'), { ok: true, value: `pw-${id}` });
    assert.deepEqual(await store.get(id, 'proxy-password'), { ok: true, value: `proxy-${id}` });
  }
  for (const id of ids) assert.deepEqual(await store.deleteAll(id), { ok: true, value: undefined });
  for (const id of ids) assert.deepEqual(await store.get(id, 'password'), { ok: true, value: undefined });
  t.diagnostic(`${ids.length * 2} secrets stored, read and deleted in ${(performance.now() - t0).toFixed(0)} ms`);
});

test('no session bus at all is the same typed error, not a crash or a plaintext fallback', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-nobus-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = await runProbe({ PATH: process.env['PATH'], HOME: dir, XDG_RUNTIME_DIR: dir });
  assert.equal(out.set.ok, false);
  assert.equal(out.set.error.kind, 'keychain-unavailable');
  assert.equal(out.set.error.reason, 'no-session-bus');
  assert.match(out.set.error.message, /session bus/);
  assert.equal(out.get.ok, false);
  assert.deepEqual(await listFiles(dir), []);
  t.diagnostic(`no bus: ${out.set.error.detail}`);
});

test('timing', { skip }, (t) => {
  t.diagnostic(
    `whole keychain file so far: ${(performance.now() - started).toFixed(0)} ms (includes starting two bus+keyring pairs)`,
  );
});

interface ProbeOutput {
  set: { ok: boolean; error: { kind: string; reason: string; message: string; detail: string } };
  get: { ok: boolean; value?: string; error?: { reason: string } };
}

async function runProbe(env: NodeJS.ProcessEnv, mode: 'roundtrip' | 'set' | 'get' = 'roundtrip'): Promise<ProbeOutput> {
  const child = spawn(process.execPath, ['--import', 'tsx', probe, mode], {
    env: { ...env, NODE_PATH: process.env['NODE_PATH'] },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: process.cwd(),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as ProbeOutput;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}
