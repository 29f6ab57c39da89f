import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionLogs } from '../../../../main/services/logs/connection-logs.js';
import { RingBuffer } from '../../../../main/services/logs/ring-buffer.js';
import { phaseLogger, type LogEntry } from '../../../../main/engine/log.js';
import { ManualClock } from '../../../../main/engine/clock.js';

const ID = 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-logs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('one JSON-lines file per attempt, readable back, listed in order', async (t) => {
  const dir = await tempDir(t);
  let now = Date.UTC(2025, 0, 2, 3, 4, 5, 6);
  const logs = new ConnectionLogs(dir, { now: () => now });
  const first = logs.start(ID);
  assert.ok(first.ok);
  const lcp = phaseLogger(first.value.sink, 'lcp', () => now);
  lcp.debug('send [LCP ConfReq id=0x1 <mru 1500> <magic 0x5f3e2a1b>]');
  lcp.info('LCP opened');
  first.value.close();
  now += 60_000;
  const second = logs.start(ID);
  assert.ok(second.ok);
  phaseLogger(second.value.sink, 'tcp', () => now).error('connection refused');
  second.value.close();

  const list = logs.list(ID);
  assert.ok(list.ok);
  assert.deepEqual(
    list.value.map((a) => [a.attempt, new Date(a.startedAt).toISOString()]),
    [
      [1, '2025-01-02T03:04:05.006Z'],
      [2, '2025-01-02T03:05:05.006Z'],
    ],
  );
  assert.equal(list.value[0]?.file, join(dir, ID, '20250102T030405006Z-0001.jsonl'));
  const raw = await readFile(list.value[0]!.file, 'utf8');
  assert.deepEqual(JSON.parse(raw.split('\n')[1]!), {
    time: '2025-01-02T03:04:05.006Z',
    level: 'info',
    phase: 'lcp',
    message: 'LCP opened',
  });
  assert.equal((await stat(list.value[0]!.file)).mode & 0o777, 0o600);

  const read = await logs.read(ID, 1);
  assert.ok(read.ok);
  assert.deepEqual(
    read.value.entries.map((e) => e.message),
    ['send [LCP ConfReq id=0x1 <mru 1500> <magic 0x5f3e2a1b>]', 'LCP opened'],
  );
});

test('a torn last line (crash mid-write) is skipped, not fatal', async (t) => {
  const dir = await tempDir(t);
  const logs = new ConnectionLogs(dir);
  const log = logs.start(ID);
  assert.ok(log.ok);
  log.value.sink({ time: 1, level: 'info', phase: 'tls', message: 'ok' });
  log.value.close();
  await appendFile(log.value.info.file, '{"time":"2025-01-0');
  const r = await logs.read(ID, 1);
  assert.ok(r.ok);
  assert.equal(r.value.entries.length, 1);
  assert.equal(r.value.skipped, 1);
});

test('the in-memory tail is bounded and subscribers see live entries, batch by batch', async (t) => {
  const dir = await tempDir(t);
  const clock = new ManualClock();
  const logs = new ConnectionLogs(dir, { tailSize: 5, clock, verbose: true });
  const log = logs.start(ID);
  assert.ok(log.ok);
  const seen: LogEntry[] = [];
  const unsubscribe = log.value.subscribe((e) => seen.push(e));
  log.value.subscribe(() => {
    throw new Error('a broken view');
  });
  const words = [
    'alpha',
    'bravo',
    'charlie',
    'delta',
    'echo',
    'foxtrot',
    'golf',
    'hotel',
    'india',
    'juliett',
    'kilo',
    'lima',
  ];
  for (const w of words) log.value.sink({ time: 0, level: 'debug', phase: 'sstp', message: `line ${w}` });
  assert.equal(seen.length, 0, 'live views get batches, not a call per line');
  await new Promise((r) => setImmediate(r));
  assert.equal(seen.length, 12, 'an idle feed hands over on the next turn');
  unsubscribe();
  log.value.sink({ time: 99, level: 'debug', phase: 'sstp', message: 'after unsubscribe' });
  clock.advance(100);
  assert.deepEqual(
    log.value.recent().map((e) => e.message),
    ['line india', 'line juliett', 'line kilo', 'line lima', 'after unsubscribe'],
  );
  assert.equal(seen.length, 12);
  log.value.close();
  const r = await logs.read(ID, 1);
  assert.ok(r.ok && r.value.entries.length === 13); // the file keeps everything
});

test('ring buffer keeps the newest items in order', () => {
  const b = new RingBuffer<number>(3);
  assert.deepEqual(b.toArray(), []);
  for (let i = 1; i <= 7; i++) b.push(i);
  assert.deepEqual(b.toArray(), [5, 6, 7]);
  assert.equal(b.size, 3);
  assert.throws(() => new RingBuffer(0));
});

test('rotation by count keeps the newest attempts', async (t) => {
  const dir = await tempDir(t);
  let now = 1_700_000_000_000;
  const logs = new ConnectionLogs(dir, { maxFiles: 3, now: () => (now += 1000) });
  for (let i = 0; i < 7; i++) {
    const l = logs.start(ID);
    assert.ok(l.ok);
    l.value.sink({ time: now, level: 'info', phase: 'tcp', message: `attempt ${i + 1}` });
    l.value.close();
  }
  const list = logs.list(ID);
  assert.ok(list.ok);
  assert.deepEqual(
    list.value.map((a) => a.attempt),
    [5, 6, 7],
  );
});

test('rotation by total size deletes oldest first but never the attempt being written', async (t) => {
  const dir = await tempDir(t);
  const logs = new ConnectionLogs(dir, { maxFiles: 100, maxBytes: 4000 });
  const big = 'x'.repeat(900);
  for (let i = 0; i < 6; i++) {
    const l = logs.start(ID);
    assert.ok(l.ok);
    l.value.sink({ time: i, level: 'info', phase: 'tcp', message: big });
    l.value.close();
  }
  const list = logs.list(ID);
  assert.ok(list.ok);
  const total = list.value.reduce((n, a) => n + a.size, 0);
  assert.ok(total <= 4000, `total ${total}`);
  assert.deepEqual(
    list.value.map((a) => a.attempt),
    [3, 4, 5, 6],
  );

  // A single open attempt bigger than the limit is kept while open.
  const open = logs.start(ID);
  assert.ok(open.ok);
  for (let i = 0; i < 10; i++) open.value.sink({ time: i, level: 'info', phase: 'tcp', message: big });
  logs.rotate(ID);
  const during = logs.list(ID);
  assert.ok(during.ok && during.value.some((a) => a.attempt === 7));
  open.value.close();
});

test('secrets never reach the file, the tail or the export; export is readable text', async (t) => {
  const dir = await tempDir(t);
  const password = 'C0rrect-Horse-Battery';
  const proxyPassword = 'pr0xy-S3cret!';
  const logs = new ConnectionLogs(dir);
  const log = logs.start(ID, { secrets: [password, proxyPassword] });
  assert.ok(log.ok);
  const auth = phaseLogger(log.value.sink, 'auth', () => Date.UTC(2025, 5, 1));
  auth.debug(`oops, the engine logged the password ${password}`);
  auth.debug(`Proxy-Authorization: Basic ${Buffer.from(`bob:${proxyPassword}`).toString('base64')}`);
  auth.debug('rcvd [CHAP Success id=0x1 "S=0123456789ABCDEF0123456789ABCDEF01234567"]');
  auth.info('authenticated as bob with MS-CHAPv2');
  assert.equal(JSON.stringify(log.value.recent()).includes(password), false);
  log.value.close();

  const dest = join(dir, 'export', 'office.txt');
  const exported = await logs.exportText(ID, 1, dest);
  assert.ok(exported.ok);
  const text = await readFile(dest, 'utf8');
  assert.match(text, /^Causeway connection log — profile d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6, attempt 1/);
  assert.ok(text.includes('2025-06-01T00:00:00.000Z INFO  [auth] authenticated as bob with MS-CHAPv2\n'), text);

  for (const file of [log.value.info.file, dest]) {
    const bytes = await readFile(file);
    for (const secret of [
      password,
      proxyPassword,
      Buffer.from(`bob:${proxyPassword}`).toString('base64'),
      '0123456789ABCDEF0123456789ABCDEF01234567',
    ]) {
      assert.equal(bytes.includes(secret), false, `${secret} in ${file}`);
    }
  }
});

test("a secret added mid-attempt (a reconnect's one-time code) is scrubbed from every later line", async (t) => {
  const dir = await tempDir(t);
  const logs = new ConnectionLogs(dir);
  const log = logs.start(ID, { secrets: ['static-pw'] });
  assert.ok(log.ok);
  const auth = phaseLogger(log.value.sink, 'auth', () => Date.UTC(2025, 5, 1));
  log.value.addSecrets(['482913', 'static-pw482913']);
  auth.info('server said: code 482913 refused for static-pw482913; static-pw alone');
  log.value.close();
  const read = await logs.read(ID, 1);
  assert.ok(read.ok);
  const text = JSON.stringify(read.value.entries) + (await readFile(log.value.info.file, 'utf8'));
  for (const secret of ['482913', 'static-pw']) assert.equal(text.includes(secret), false, `${secret} in the log`);
  assert.match(text, /server said: code \[redacted\] refused/);
});

test("profile ids cannot escape the logs directory; removeAll deletes a profile's logs", async (t) => {
  const dir = await tempDir(t);
  const logs = new ConnectionLogs(dir);
  for (const bad of ['../etc', 'a/b', '', '.hidden']) {
    const r = logs.start(bad);
    assert.ok(!r.ok && r.error.kind === 'bad-profile-id');
  }
  const l = logs.start(ID);
  assert.ok(l.ok);
  l.value.close();
  assert.ok((await logs.removeAll(ID)).ok);
  assert.deepEqual(await readdir(dir), []);
  const missing = await logs.read(ID, 1);
  assert.ok(!missing.ok && missing.error.kind === 'not-found');
});
