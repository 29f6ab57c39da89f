import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileStore } from '../../../../main/services/profiles/store.js';
import type { Migration } from '../../../../main/services/profiles/file-format.js';
import type { ProfileDraft } from '../../../../main/contract/profile.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const draft = (name: string): ProfileDraft => ({ name, server: { host: 'vpn.example.test' }, username: 'alice' });

test('add, list, get, getByName, update, remove', async (t) => {
  const dir = await tempDir(t);
  const store = new ProfileStore(dir);
  assert.deepEqual(await store.list(), { ok: true, value: [] });

  const a = await store.add(draft('Office'));
  assert.ok(a.ok);
  const b = await store.add({ ...draft('Home'), server: { host: '10.0.0.1', port: 8443 } });
  assert.ok(b.ok);

  const list = await store.list();
  assert.ok(list.ok);
  assert.deepEqual(
    list.value.map((p) => p.name),
    ['Office', 'Home'],
  );

  const byId = await store.get(a.value.id);
  assert.ok(byId.ok && byId.value.name === 'Office');
  const byName = await store.getByName('home');
  assert.ok(byName.ok && byName.value.id === b.value.id);

  const u = await store.update(a.value.id, (p) => ({ ...p, server: { ...p.server, port: 4443 }, mtu: 1400 }));
  assert.ok(u.ok);
  assert.equal(u.value.server.port, 4443);
  assert.equal(u.value.id, a.value.id);

  const r = await store.remove(b.value.id);
  assert.ok(r.ok);
  const after = await store.list();
  assert.ok(after.ok);
  assert.deepEqual(
    after.value.map((p) => [p.name, p.server.port, p.mtu]),
    [['Office', 4443, 1400]],
  );

  const missing = await store.get(b.value.id);
  assert.ok(!missing.ok && missing.error.kind === 'not-found');
});

test('names are unique, case-insensitively, on add and on rename', async (t) => {
  const dir = await tempDir(t);
  const store = new ProfileStore(dir);
  const a = await store.add(draft('Office'));
  assert.ok(a.ok);
  const dup = await store.add(draft('OFFICE'));
  assert.ok(!dup.ok && dup.error.kind === 'name-taken');
  const b = await store.add(draft('Home'));
  assert.ok(b.ok);
  const rename = await store.update(b.value.id, (p) => ({ ...p, name: 'office' }));
  assert.ok(!rename.ok && rename.error.kind === 'name-taken');
  assert.match(rename.error.message, /"Office" already exists/);
});

test('update cannot change identity and is validated', async (t) => {
  const dir = await tempDir(t);
  const store = new ProfileStore(dir);
  const a = await store.add(draft('Office'));
  assert.ok(a.ok);
  const u = await store.update(a.value.id, (p) => ({ ...p, id: '00000000-0000-4000-8000-000000000000' }));
  assert.ok(u.ok && u.value.id === a.value.id);
  const bad = await store.update(a.value.id, (p) => ({ ...p, server: { host: 'x', port: 0 } }));
  assert.ok(!bad.ok && bad.error.kind === 'invalid');
  assert.match(bad.error.message, /server\.port: must be between 1 and 65535/);
});

test('concurrent writes from one process are serialized: nothing is lost', async (t) => {
  const dir = await tempDir(t);
  const store = new ProfileStore(dir);
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => store.add(draft(`P${i}`))));
  assert.ok(results.every((r) => r.ok));
  const first = results[0];
  assert.ok(first?.ok);
  // Forty read-modify-write increments of one field on the same profile.
  await Promise.all(
    Array.from({ length: 40 }, () => store.update(first.value.id, (p) => ({ ...p, mtu: (p.mtu ?? 1000) + 1 }))),
  );
  const again = new ProfileStore(dir); // a fresh reader sees what is on disk
  const list = await again.list();
  assert.ok(list.ok);
  assert.equal(list.value.length, 40);
  assert.equal(list.value.find((p) => p.id === first.value.id)?.mtu, 1040);
  // No temp files left behind, and the file is private.
  assert.deepEqual(await readdir(dir), ['profiles.json']);
  assert.equal((await stat(join(dir, 'profiles.json'))).mode & 0o777, 0o600);
});

test('a file that is not JSON is moved aside, never overwritten, and the error says where', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'profiles.json');
  await writeFile(file, '{"version": 1, "profiles": [ {"name": "Offi');
  const store = new ProfileStore(dir, { now: () => Date.UTC(2025, 0, 2, 3, 4, 5, 6) });
  const r = await store.load();
  assert.ok(!r.ok && r.error.kind === 'corrupt');
  assert.equal(r.error.movedTo, `${file}.corrupt-2025-01-02T03-04-05-006Z`);
  assert.match(r.error.message, /not valid JSON/);
  assert.ok(r.error.message.includes(r.error.movedTo));
  assert.equal(await readFile(r.error.movedTo, 'utf8'), '{"version": 1, "profiles": [ {"name": "Offi');
  // The next operation starts from nothing, and does not touch the kept copy.
  const a = await store.add(draft('Fresh'));
  assert.ok(a.ok);
  assert.equal(await readFile(r.error.movedTo, 'utf8'), '{"version": 1, "profiles": [ {"name": "Offi');
});

test('a file that fails validation is moved aside with problems naming profile and field', async (t) => {
  const dir = await tempDir(t);
  const store = new ProfileStore(dir, { now: () => 0 });
  const a = await store.add(draft('Office'));
  assert.ok(a.ok);
  const file = join(dir, 'profiles.json');
  const doc = JSON.parse(await readFile(file, 'utf8')) as { profiles: Array<Record<string, unknown>> };
  const first = doc.profiles[0];
  assert.ok(first);
  first['server'] = { host: 'vpn.example.test', port: 99999 };
  first['password'] = 'oops';
  await writeFile(file, JSON.stringify(doc));

  const twice = await Promise.all([store.load(), store.load()]); // second sees no file: empty
  const r = twice[0];
  assert.ok(!r.ok && r.error.kind === 'corrupt');
  assert.ok(
    r.error.problems.includes('profiles[0] ("Office").server.port: must be between 1 and 65535'),
    r.error.problems.join('\n'),
  );
  assert.ok(r.error.problems.includes('profiles[0] ("Office"): unknown field "password"'), r.error.problems.join('\n'));
  assert.deepEqual(twice[1], { ok: true, value: [] });
  assert.deepEqual((await readdir(dir)).sort(), ['profiles.json.corrupt-1970-01-01T00-00-00-000Z']);
});

test('duplicate names in a hand-edited file are reported as corrupt', async (t) => {
  const dir = await tempDir(t);
  const store = new ProfileStore(dir);
  const a = await store.add(draft('Office'));
  assert.ok(a.ok);
  const file = join(dir, 'profiles.json');
  const doc = JSON.parse(await readFile(file, 'utf8')) as { profiles: unknown[] };
  doc.profiles.push({ ...a.value, id: '00000000-0000-4000-8000-000000000001', name: 'office' });
  await writeFile(file, JSON.stringify(doc));
  const r = await store.load();
  assert.ok(!r.ok && r.error.kind === 'corrupt');
  assert.match(r.error.message, /name "office" appears twice/);
});

test('a file from a newer version is left untouched and reported', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'profiles.json');
  const text = JSON.stringify({ version: 7, profiles: [], somethingNew: true });
  await writeFile(file, text);
  const r = await new ProfileStore(dir).load();
  assert.ok(!r.ok && r.error.kind === 'unsupported-version');
  assert.equal(r.error.version, 7);
  assert.equal(await readFile(file, 'utf8'), text);
  assert.deepEqual(await readdir(dir), ['profiles.json']);
});

test('migration hook: a synthetic v0 file is upgraded, saved as v1, the original kept as .v0.bak', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'profiles.json');
  // An imagined version 0: { version: 0, connections: [{ title, gateway: "host:port", user }] }
  const v0 = JSON.stringify({
    version: 0,
    connections: [
      { title: 'Office', gateway: 'vpn.example.test:8443', user: 'bob', uid: '5a1d0b8e-2f7c-4d0a-9c39-0e6f2a7b1c11' },
    ],
  });
  await writeFile(file, v0);
  const v0ToV1: Migration = {
    from: 0,
    migrate(doc) {
      const list = doc['connections'] as Array<{ title: string; gateway: string; user: string; uid: string }>;
      return {
        version: 1,
        profiles: list.map((c) => {
          const [host, port] = c.gateway.split(':');
          return {
            version: 1,
            id: c.uid,
            name: c.title,
            server: { host, port: Number(port) },
            username: c.user,
            authMethods: ['mschapv2'],
            tls: { minVersion: 'TLSv1.2', insecure: false },
            routing: { mode: 'full' },
            dns: true,
            ipv6: false,
            reconnect: { enabled: true },
            autoConnect: false,
          };
        }),
      };
    },
  };
  const store = new ProfileStore(dir, { migrations: [v0ToV1] });
  const r = await store.load();
  assert.ok(r.ok);
  assert.equal(r.value[0]?.name, 'Office');
  assert.equal(r.value[0]?.server.port, 8443);
  assert.equal(await readFile(`${file}.v0.bak`, 'utf8'), v0);
  const stored = JSON.parse(await readFile(file, 'utf8')) as { version: number };
  assert.equal(stored.version, 1);

  // Without a migration for v0 the file is reported, not destroyed.
  await writeFile(file, v0);
  const none = await new ProfileStore(dir).load();
  assert.ok(!none.ok && none.error.kind === 'unsupported-version');
  assert.equal(await readFile(file, 'utf8'), v0);
});

test('a file from before the shared route limit still loads (host bits cleared); an edit must meet the limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const routes = ['10.1.2.3/16', ...Array.from({ length: 69 }, (_, i) => `172.16.${i}.0/24`)];
  const legacy = {
    version: 1,
    profiles: [
      {
        version: 1,
        id: '9c4f7a4e-1d2b-4c3d-8e5f-6a7b8c9d0e1f',
        name: 'Legacy',
        server: { host: 'vpn.example.test', port: 443 },
        username: 'u',
        routing: { mode: 'split', routes },
      },
    ],
  };
  await writeFile(join(dir, 'profiles.json'), JSON.stringify(legacy));
  const store = new ProfileStore(dir);
  const list = await store.list();
  assert.ok(list.ok, list.ok ? '' : list.error.message);
  const p = list.value[0]!;
  assert.equal(p.routing.mode === 'split' && p.routing.routes[0], '10.1.0.0/16');
  assert.equal(p.routing.mode === 'split' && p.routing.routes.length, 70);

  const renamed = await store.update(p.id, (c) => ({ ...c, name: 'Legacy 2' }));
  assert.ok(!renamed.ok && renamed.error.kind === 'invalid');
  assert.match(renamed.error.message, /at most 64 networks/);
  const trimmed = await store.update(p.id, (c) => ({ ...c, routing: { mode: 'split', routes: ['10.1.0.0/16'] } }));
  assert.ok(trimmed.ok, trimmed.ok ? '' : trimmed.error.message);
  const bad = await store.update(p.id, (c) => ({ ...c, routing: { mode: 'split', routes: ['10.9.9.9/8'] } }));
  assert.ok(!bad.ok && /host bits set below the prefix \(the network is 10\.0\.0\.0\/8\)/.test(bad.error.message));
});
