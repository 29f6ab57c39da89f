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
  // libsecret reads the address when keytar first talks to the bus, which is after this line.
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
  const secrets = { password: 'Sup3r-Secret-VPN-pw', 'proxy-password': 'Pr0xy-Secret-pw', 'pkcs12-passphrase': 'P12-Secret-phrase' } as const;
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
  assert.match(out.set.error.message, /Unlock your keyring/);
  assert.match(out.set.error.message, /--password-stdin/);
  assert.equal(JSON.stringify(out).includes('probe-secret-value'), false);
  t.diagnostic(`locked: ${out.set.error.detail}; get → ${JSON.stringify(out.get)}`);
});

test('a keyring that was never unlocked (no login collection) is the same typed error', { skip }, async (t) => {
  const fresh = await startPrivateKeyring({ unlock: false });
  t.after(() => fresh.stop());
  const out = await runProbe(fresh.env);
  assert.equal(out.set.ok, false);
  assert.equal(out.set.error.kind, 'keychain-unavailable');
  t.diagnostic(`never unlocked: ${out.set.error.detail}`);
});

test('no session bus at all is the same typed error, not a crash or a plaintext fallback', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-nobus-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = await runProbe({ PATH: process.env['PATH'], HOME: dir, XDG_RUNTIME_DIR: dir });
  assert.equal(out.set.ok, false);
  assert.equal(out.set.error.kind, 'keychain-unavailable');
  assert.equal(out.get.ok, false);
  assert.deepEqual(await listFiles(dir), []);
  t.diagnostic(`no bus: ${out.set.error.detail}`);
});

test('timing', { skip }, (t) => {
  t.diagnostic(`whole keychain file so far: ${(performance.now() - started).toFixed(0)} ms (includes starting two bus+keyring pairs)`);
});

interface ProbeOutput {
  set: { ok: boolean; error: { kind: string; message: string; detail: string } };
  get: { ok: boolean };
}

async function runProbe(env: NodeJS.ProcessEnv): Promise<ProbeOutput> {
  const child = spawn(process.execPath, ['--import', 'tsx', probe], { env: { ...env, NODE_PATH: process.env['NODE_PATH'] }, stdio: ['ignore', 'pipe', 'pipe'], cwd: process.cwd() });
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
