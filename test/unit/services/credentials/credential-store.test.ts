import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeytarCredentialStore } from '../../../../main/services/credentials/keytar-store.js';
import { MemoryCredentialStore } from '../../../../main/services/credentials/memory-store.js';
import { accountFor } from '../../../../main/services/credentials/credential-store.js';
import { ProfileStore } from '../../../../main/services/profiles/store.js';
import { deleteProfile } from '../../../../main/services/profiles/delete-profile.js';
import { ConnectionLogs } from '../../../../main/services/logs/connection-logs.js';

const ID = 'e1d2c3b4-a596-4877-8899-aabbccddeeff';

function fakeKeytar() {
  const m = new Map<string, string>();
  const calls: string[] = [];
  return {
    calls,
    backend: {
      async getPassword(service: string, account: string) {
        calls.push(`get ${service} ${account}`);
        return m.get(`${service}/${account}`) ?? null;
      },
      async setPassword(service: string, account: string, password: string) {
        calls.push(`set ${service} ${account}`);
        m.set(`${service}/${account}`, password);
      },
      async deletePassword(service: string, account: string) {
        calls.push(`delete ${service} ${account}`);
        return m.delete(`${service}/${account}`);
      },
    },
  };
}

test('keytar store: service "causeway", one account per profile and kind', async () => {
  const fake = fakeKeytar();
  const store = new KeytarCredentialStore({ backend: fake.backend });
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
  ]);
  assert.equal(accountFor(ID, 'pkcs12-passphrase'), `${ID}:pkcs12-passphrase`);
});

test('keytar store: backend failures become keychain-unavailable, with the secret scrubbed from the detail', async () => {
  const store = new KeytarCredentialStore({
    backend: {
      getPassword: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
      setPassword: (_s, _a, pw) => Promise.reject(new Error(`could not store "${pw}": collection is locked`)),
      deletePassword: () => Promise.reject(new Error('locked')),
    },
  });
  const set = await store.set(ID, 'password', 'sekrit-value');
  assert.ok(!set.ok && set.error.kind === 'keychain-unavailable');
  assert.equal(JSON.stringify(set).includes('sekrit-value'), false);
  assert.match(set.error.message, /--password-stdin/);
  const get = await store.get(ID, 'password');
  assert.ok(!get.ok && get.error.kind === 'keychain-unavailable' && get.error.detail.includes('D-Bus'));
});

test('keytar store: a keychain that never answers (unanswered unlock prompt) times out', async () => {
  const store = new KeytarCredentialStore({
    timeoutMs: 50,
    backend: { getPassword: () => new Promise(() => {}), setPassword: () => new Promise(() => {}), deletePassword: () => new Promise(() => {}) },
  });
  const r = await store.get(ID, 'password');
  assert.ok(!r.ok && r.error.kind === 'keychain-unavailable');
  assert.match(r.error.detail, /no answer from the keychain within 50 ms/);
});

test('requests are checked before reaching the keychain', async () => {
  const fake = fakeKeytar();
  const store = new KeytarCredentialStore({ backend: fake.backend });
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
