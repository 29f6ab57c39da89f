import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyringCredentialStore } from '../../../../main/services/credentials/keyring-store.js';
import { MemoryCredentialStore } from '../../../../main/services/credentials/memory-store.js';
import { accountFor } from '../../../../main/services/credentials/credential-store.js';
import { ProfileStore } from '../../../../main/services/profiles/store.js';
import { deleteProfile } from '../../../../main/services/profiles/delete-profile.js';
import { ConnectionLogs } from '../../../../main/services/logs/connection-logs.js';

const ID = 'e1d2c3b4-a596-4877-8899-aabbccddeeff';

import { classifyKeychainFailure } from '../../../../main/services/credentials/keychain-failure.js';
import type { KeyringBackend, KeyringEntry } from '../../../../main/services/credentials/keyring-store.js';

function fakeKeyring() {
  const m = new Map<string, string>();
  const calls: string[] = [];
  const backend: KeyringBackend = (service, account) => ({
    async getPassword() {
      calls.push(`get ${service} ${account}`);
      return m.get(`${service}/${account}`) ?? null;
    },
    async setPassword(password: string) {
      calls.push(`set ${service} ${account}`);
      m.set(`${service}/${account}`, password);
    },
    async deletePassword() {
      calls.push(`delete ${service} ${account}`);
      return m.delete(`${service}/${account}`);
    },
  });
  return { calls, backend };
}

function failing(entry: KeyringEntry): KeyringBackend {
  return () => entry;
}

test('keyring store: service "causeway", one account per profile and kind', async () => {
  const fake = fakeKeyring();
  const store = new KeyringCredentialStore({ backend: fake.backend });
  assert.deepEqual(await store.set(ID, 'password', 'pw1'), { ok: true, value: undefined });
  assert.deepEqual(await store.get(ID, 'password'), { ok: true, value: 'pw1' });
  assert.deepEqual(await store.get(ID, 'proxy-password'), { ok: true, value: undefined });
  assert.ok((await store.deleteAll(ID)).ok);
  assert.deepEqual(fake.calls, [
    `set causeway ${ID}:password`,
    `get causeway ${ID}:password`,
    `get causeway ${ID}:proxy-password`,
    `delete causeway ${ID}:password`,
    `delete causeway ${ID}:proxy-password`,
    `delete causeway ${ID}:pkcs12-passphrase`,
    `delete causeway ${ID}:client-key`,
  ]);
  assert.equal(accountFor(ID, 'pkcs12-passphrase'), `${ID}:pkcs12-passphrase`);
});

test('keyring store: backend failures become keychain-unavailable, with the secret scrubbed from the detail', async () => {
  const store = new KeyringCredentialStore({
    backend: failing({
      getPassword: () =>
        Promise.reject(new Error('Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled')),
      setPassword: (pw) => Promise.reject(new Error(`could not store "${pw}": collection is locked`)),
      deletePassword: () => Promise.reject(new Error('locked')),
    }),
  });
  const set = await store.set(ID, 'password', 'sekrit-value');
  assert.ok(!set.ok && set.error.kind === 'keychain-unavailable');
  assert.equal(set.error.reason, 'locked');
  assert.equal(JSON.stringify(set).includes('sekrit-value'), false);
  assert.match(set.error.message, /--password-stdin/);
  assert.match(set.error.message, /Unlock it/);
  const get = await store.get(ID, 'password');
  assert.ok(!get.ok && get.error.kind === 'keychain-unavailable' && get.error.detail.includes('DBus'));
  assert.equal(get.error.reason, 'no-session-bus');
});

test('keyring store: a backend that throws while opening the entry is a typed failure too', async () => {
  const store = new KeyringCredentialStore({
    backend: () => {
      throw new Error(
        'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      );
    },
  });
  const r = await store.get(ID, 'password');
  assert.ok(!r.ok && r.error.kind === 'keychain-unavailable');
  assert.equal(r.error.reason, 'no-secret-service');
  assert.match(r.error.message, /gnome-keyring, KWallet or KeePassXC/);
});

test('keyring store: a keychain that never answers (unanswered unlock prompt) times out and aborts the call', async () => {
  let aborted = false;
  const hang = (signal?: AbortSignal) =>
    new Promise<never>(() => signal?.addEventListener('abort', () => (aborted = true)));
  const store = new KeyringCredentialStore({
    timeoutMs: 50,
    backend: failing({ getPassword: hang, setPassword: (_pw, signal) => hang(signal), deletePassword: hang }),
  });
  const r = await store.get(ID, 'password');
  assert.ok(!r.ok && r.error.kind === 'keychain-unavailable');
  assert.equal(r.error.reason, 'no-answer');
  assert.match(r.error.detail, /no answer from the keychain within 50 ms/);
  assert.equal(aborted, true);
});

// What @napi-rs/keyring 2.x said on this machine in each situation (see the keychain integration test).
const OBSERVED: readonly [string, ReturnType<typeof classifyKeychainFailure>][] = [
  ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'locked'],
  [
    'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
    'no-secret-service',
  ],
  [
    'Platform failure: DBus error: Failed to connect to socket /tmp/nonexist: No such file or directory',
    'no-session-bus',
  ],
  [
    'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
    'no-session-bus',
  ],
  ['something else entirely', 'failed'],
];

test('keychain failures are classified into reasons with their own advice', () => {
  for (const [detail, reason] of OBSERVED) assert.equal(classifyKeychainFailure(detail), reason, detail);
});

test('requests are checked before reaching the keychain', async () => {
  const fake = fakeKeyring();
  const store = new KeyringCredentialStore({ backend: fake.backend });
  const empty = await store.set(ID, 'password', '');
  assert.ok(!empty.ok && empty.error.kind === 'invalid');
  const colon = await store.get('a:b', 'password');
  assert.ok(!colon.ok && colon.error.kind === 'invalid');
  assert.deepEqual(fake.calls, []);
});

test('deleteProfile removes secrets and logs; a locked keychain does not block the deletion but is reported', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-del-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new ProfileStore(join(dir, 'config'));
  const logs = new ConnectionLogs(join(dir, 'logs'));
  const credentials = new MemoryCredentialStore();
  const a = await store.add({ name: 'A', server: { host: 'a.example.test' }, username: 'u' });
  const b = await store.add({ name: 'B', server: { host: 'b.example.test' }, username: 'u' });
  assert.ok(a.ok && b.ok);
  await credentials.set(a.value.id, 'password', 'pw-a');
  await credentials.set(a.value.id, 'proxy-password', 'ppw-a');
  await credentials.set(b.value.id, 'password', 'pw-b');
  const log = logs.start(a.value.id);
  assert.ok(log.ok);
  log.value.close();

  const del = await deleteProfile({ store, credentials, logs }, a.value.id);
  assert.ok(del.ok && del.value.secretsLeft === undefined);
  assert.equal(credentials.size, 1);
  const remaining = logs.list(a.value.id);
  assert.ok(remaining.ok && remaining.value.length === 0);

  credentials.unavailable = true;
  const delB = await deleteProfile({ store, credentials }, b.value.id);
  assert.ok(delB.ok);
  assert.equal(delB.value.secretsLeft?.kind, 'keychain-unavailable');
  const list = await store.list();
  assert.ok(list.ok && list.value.length === 0);

  const again = await deleteProfile({ store, credentials }, b.value.id);
  assert.ok(!again.ok && again.error.kind === 'not-found');
});

test('keyring store: one entry per account is kept (each holds a bus connection); a failed entry is replaced', async () => {
  const opened: string[] = [];
  let failNext = false;
  const store = new KeyringCredentialStore({
    backend: (_service, account) => {
      opened.push(account);
      return {
        getPassword: async () => {
          if (failNext) {
            failNext = false;
            throw new Error('Platform failure: DBus error: Failed to connect to socket /run/user/1000/bus');
          }
          return 'pw';
        },
        setPassword: async () => undefined,
        deletePassword: async () => true,
      };
    },
  });
  for (let i = 0; i < 5; i++) assert.deepEqual(await store.get(ID, 'password'), { ok: true, value: 'pw' });
  assert.deepEqual(opened, [`${ID}:password`]);
  failNext = true;
  assert.equal((await store.get(ID, 'password')).ok, false);
  assert.deepEqual(await store.get(ID, 'password'), { ok: true, value: 'pw' });
  assert.deepEqual(opened, [`${ID}:password`, `${ID}:password`]);
});
