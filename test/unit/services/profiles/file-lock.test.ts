// The inter-process lock: exclusion, stale-lock recovery by pid, giving up on a live holder, and never
// removing a lock that is not ours. Time only through the injected sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLock } from '../../../../main/services/profiles/file-lock.js';
import { ProfileStore } from '../../../../main/services/profiles/store.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const noWait = async (): Promise<void> => {
  await new Promise<void>((r) => setImmediate(r));
};

test('two locks on one file never run their sections at the same time', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'profiles.json.lock');
  const a = new FileLock(path, { sleep: noWait });
  const b = new FileLock(path, { sleep: noWait });
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = a.run(async () => {
    log.push('a in');
    await gate;
    log.push('a out');
    return 1;
  });
  // Let the first section start before the second asks.
  while (log.length === 0) await noWait();
  const second = b.run(async () => {
    log.push('b in');
    return 2;
  });
  for (let i = 0; i < 20; i++) await noWait();
  assert.deepEqual(log, ['a in'], 'the second waits while the first holds the lock');
  release();
  assert.deepEqual(await first, { ok: true, value: 1 });
  assert.deepEqual(await second, { ok: true, value: 2 });
  assert.deepEqual(log, ['a in', 'a out', 'b in']);
  assert.deepEqual(await readdir(dir), [], 'no lock or temp file is left');
});

test('a lock left by a dead process is broken', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'profiles.json.lock');
  await writeFile(path, '424242 deadbeef\n');
  const lock = new FileLock(path, { isAlive: (pid) => pid !== 424242, sleep: noWait });
  assert.deepEqual(await lock.run(async () => readFile(path, 'utf8').then((s) => s.startsWith(`${process.pid} `))), {
    ok: true,
    value: true,
  });
  assert.deepEqual(await readdir(dir), []);
});

test('a lock file with content we did not write does not block forever', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'profiles.json.lock');
  await writeFile(path, 'garbage');
  const r = await new FileLock(path, { sleep: noWait }).run(async () => 'in');
  assert.deepEqual(r, { ok: true, value: 'in' });
});

test('a live holder is waited for, then reported with its pid; its lock is left alone', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'profiles.json.lock');
  await writeFile(path, '4242 cafe\n');
  let waited = 0;
  const lock = new FileLock(path, {
    isAlive: () => true,
    maxWaitMs: 200,
    sleep: async (ms) => {
      waited += ms;
    },
  });
  let entered = false;
  const r = await lock.run(async () => {
    entered = true;
  });
  assert.equal(entered, false);
  assert.ok(!r.ok && r.error.kind === 'locked' && r.error.holder === 4242, JSON.stringify(r));
  assert.match(r.error.message, /process 4242/);
  assert.ok(waited >= 200);
  assert.equal(await readFile(path, 'utf8'), '4242 cafe\n');
});

test('releasing never removes a lock that is no longer ours', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'profiles.json.lock');
  const lock = new FileLock(path, { sleep: noWait });
  const r = await lock.run(async () => {
    // Someone broke our lock and took it (a pid reused, a clock jump): theirs must survive our release.
    await rm(path);
    await writeFile(path, '777 other\n');
  });
  assert.ok(r.ok);
  assert.equal(await readFile(path, 'utf8'), '777 other\n');
});

test('temp files of dead lockers are swept; the section still runs when fn throws, and the lock is released', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'profiles.json.lock');
  await writeFile(join(dir, '.profiles.json.lock-tmp-424242-00'), 'x');
  await writeFile(join(dir, `.profiles.json.lock-tmp-${process.pid}-11`), 'mine');
  const lock = new FileLock(path, { isAlive: (pid) => pid !== 424242, sleep: noWait });
  await assert.rejects(
    lock.run(async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual((await readdir(dir)).sort(), [`.profiles.json.lock-tmp-${process.pid}-11`]);
  assert.ok((await lock.run(async () => true)).ok);
});

test('a profile store held up by a live lock holder reports it as an io error naming the holder, and writes nothing', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'profiles.json.lock'), '4242 cafe\n');
  const store = new ProfileStore(dir, { lock: { isAlive: () => true, maxWaitMs: 10, sleep: noWait } });
  const r = await store.add({ name: 'Office', server: { host: 'vpn.example.test' }, username: 'alice' });
  assert.ok(!r.ok && r.error.kind === 'io' && /process 4242/.test(r.error.message), JSON.stringify(r));
  assert.deepEqual(await readdir(dir), ['profiles.json.lock']);
});
