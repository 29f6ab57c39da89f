// A server can make the engine log a line per packet. These pin down, with the manual clock, what
// reaches the attempt's file and the live views when it does: repeats folded into "N more like
// this", a byte cap with one truncation line, debug kept to a budget, batches to the views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { LogEntry } from '../../../../main/engine/log.js';
import { ConnectionLogs } from '../../../../main/services/logs/connection-logs.js';
import { LiveFeed } from '../../../../main/services/logs/live-feed.js';
import { RepeatLimiter, templateOf } from '../../../../main/services/logs/repeat-limiter.js';

const ID = 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-flood-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const line = (message: string, level: LogEntry['level'] = 'debug'): LogEntry => ({
  time: 0,
  level,
  phase: 'lcp',
  message,
});

test('the template ignores ids, lengths, hex and quoted peer text', () => {
  assert.equal(templateOf('rcvd [0x1234 len=17]'), templateOf('rcvd [0xbeef len=3]'));
  assert.equal(
    templateOf('rcvd [LCP EchoReq id=0x1 magic=0xdeadbeef "hi"]'),
    templateOf('rcvd [LCP EchoReq id=0x2f magic=0x1 "other"]'),
  );
  assert.equal(templateOf('dropped: <bad> 01 02 03'), templateOf('dropped: <bad> ff ee'));
  assert.notEqual(templateOf('dropped: LCP is not open'), templateOf('dropped IPCP: not in the network phase yet'));
});

test('a burst passes, the rest of the window folds into one "N more like this" line', () => {
  const clock = new ManualClock();
  const out: LogEntry[] = [];
  const limiter = new RepeatLimiter(clock, (e) => out.push(e), { windowMs: 1000, burst: 3, maxKeys: 8 });
  const admit = (e: LogEntry) => (limiter.admit(e) ? out.push(e) : undefined);
  for (let i = 0; i < 10; i++) admit(line(`dropped: frame of ${i} bytes`));
  admit(line('LCP opened', 'info'));
  assert.deepEqual(
    out.map((e) => e.message),
    ['dropped: frame of 0 bytes', 'dropped: frame of 1 bytes', 'dropped: frame of 2 bytes', 'LCP opened'],
  );
  clock.advance(1000);
  assert.equal(out.length, 5);
  assert.equal(out[4]?.message, '… 7 more like this in the last 1.0 s, the last: dropped: frame of 9 bytes');
  assert.equal(out[4]?.level, 'debug');
  assert.equal(out[4]?.time, 1000);

  // Still flooding: no fresh burst, only a summary per window.
  for (let i = 0; i < 50; i++) admit(line(`dropped: frame of ${i} bytes`));
  clock.advance(1000);
  assert.equal(out.length, 6);
  assert.match(out[5]?.message ?? '', /^… 50 more like this/);

  // A whole quiet window: the shape is forgotten and shows again.
  clock.advance(1000);
  clock.advance(1000);
  assert.equal(limiter.admit(line('dropped: frame of 1 bytes')), true);
  limiter.close();
  assert.equal(clock.pending, 0, 'no timer left once closed');
});

test('endless new shapes share one bucket past maxKeys; close() summarises what is pending', () => {
  const clock = new ManualClock();
  const out: LogEntry[] = [];
  const limiter = new RepeatLimiter(clock, (e) => out.push(e), { windowMs: 1000, burst: 1, maxKeys: 4 });
  let passed = 0;
  const words = 'a b c d e f g h i j k l m n o p'.split(' ');
  for (const w of words) if (limiter.admit(line(`shape ${w}${w}`))) passed++;
  // 4 shapes get their own bucket (1 each), the other 12 share the overflow bucket (1 passes).
  assert.equal(passed, 5);
  limiter.close();
  assert.equal(out.length, 1);
  assert.match(out[0]?.message ?? '', /^… 11 more like this/);
});

test('live views get batches of at most maxPerBatch and one "skipped N lines" marker', () => {
  const clock = new ManualClock();
  const turns: (() => void)[] = [];
  const feed = new LiveFeed(clock, { intervalMs: 100, maxPerBatch: 5 }, (fn) => turns.push(fn));
  const seen: LogEntry[] = [];
  feed.subscribe((e) => seen.push(e));
  for (let i = 0; i < 1000; i++) feed.push(line(`l${i}`));
  assert.equal(seen.length, 0);
  assert.equal(turns.length, 1, 'one deferred hand-over, not one per line');
  turns.shift()?.();
  assert.deepEqual(seen.map((e) => e.message).slice(0, 5), ['l0', 'l1', 'l2', 'l3', 'l4']);
  assert.equal(seen.length, 6);
  assert.match(seen[5]?.message ?? '', /^skipped 995 lines in this live view/);
  // Busy: the next batch waits for the interval.
  clock.advance(10);
  for (let i = 0; i < 3; i++) feed.push(line(`m${i}`));
  assert.equal(turns.length, 0);
  clock.advance(89);
  assert.equal(seen.length, 6);
  clock.advance(1);
  assert.equal(seen.length, 9);
  clock.advance(1000);
  assert.equal(seen.length, 9, 'nothing more, and no idle timer');
  assert.equal(clock.pending, 0);
});

test('the attempt file stops at its cap with one truncation line; nothing is written per line', async (t) => {
  const dir = await tempDir(t);
  const clock = new ManualClock();
  const logs = new ConnectionLogs(dir, {
    clock,
    limits: { file: { maxBytes: 64 * 1024, flushBytes: 1 << 30, flushMs: 100 }, repeat: { burst: 1_000_000 } },
  });
  const log = logs.start(ID);
  assert.ok(log.ok);
  // Distinct warnings (not folded, not debug) until far past the cap.
  for (let i = 0; i < 5000; i++)
    log.value.sink({
      time: 0,
      level: 'warn',
      phase: 'sstp',
      message: `the server sent odd thing number ${i} ${'x'.repeat(40)}`,
    });
  assert.equal((await stat(log.value.info.file)).size, 0, 'buffered: not one write yet');
  clock.advance(100);
  const size = (await stat(log.value.info.file)).size;
  assert.ok(size <= 64 * 1024 && size > 60 * 1024, `size ${size}`);
  log.value.sink({ time: 0, level: 'error', phase: 'sstp', message: 'after the cap' });
  log.value.close();
  const r = await logs.read(ID, 1);
  assert.ok(r.ok);
  const notices = r.value.entries.filter((e) => e.message.startsWith('log truncated at'));
  assert.equal(notices.length, 1);
  assert.equal(notices[0]?.message, 'log truncated at 0.1 MiB: nothing more of this attempt is written to the file.');
  assert.equal(r.value.entries.at(-1), notices[0]);
  assert.ok(!r.value.entries.some((e) => e.message === 'after the cap'));
  assert.equal(log.value.recent().at(-1)?.message, 'after the cap', 'the live tail goes on past the cap');
});

test('debug lines stay out of the file past a budget unless verbose; info still written', async (t) => {
  const dir = await tempDir(t);
  const clock = new ManualClock();
  const limits = { file: { debugBudgetBytes: 2048 }, repeat: { burst: 1_000_000 } };
  const quiet = new ConnectionLogs(join(dir, 'q'), { clock, limits });
  const loud = new ConnectionLogs(join(dir, 'v'), { clock, limits, verbose: true });
  for (const logs of [quiet, loud]) {
    const log = logs.start(ID);
    assert.ok(log.ok);
    for (let i = 0; i < 200; i++) log.value.sink({ time: 0, level: 'debug', phase: 'lcp', message: `trace line ${i}` });
    log.value.sink({ time: 0, level: 'info', phase: 'lcp', message: 'LCP opened' });
    log.value.close();
  }
  const q = await quiet.read(ID, 1);
  const v = await loud.read(ID, 1);
  assert.ok(q.ok && v.ok);
  const qDebug = q.value.entries.filter((e) => e.level === 'debug');
  assert.ok(qDebug.length > 10 && qDebug.length < 50, `${qDebug.length} debug lines kept`);
  assert.equal(q.value.entries.filter((e) => e.message.startsWith('debug trace stops here')).length, 1);
  assert.equal(q.value.entries.at(-1)?.message, 'LCP opened');
  assert.equal(v.value.entries.filter((e) => e.level === 'debug').length, 200);
});

test('a flood of one shape: the file gets a burst and one summary per second, the view a bounded count', async (t) => {
  const dir = await tempDir(t);
  const clock = new ManualClock();
  const turns: (() => void)[] = [];
  const logs = new ConnectionLogs(dir, { clock, verbose: true, defer: (fn) => turns.push(fn) });
  const log = logs.start(ID);
  assert.ok(log.ok);
  let viewed = 0;
  log.value.subscribe(() => viewed++);
  // 100 000 empty data packets over 10 s of manual time.
  for (let ms = 0; ms < 10_000; ms++) {
    for (let i = 0; i < 10; i++)
      log.value.sink({
        time: clock.now(),
        level: 'debug',
        phase: 'lcp',
        message: 'dropped: PPP frame: 0 bytes, need at least 2 for the protocol field',
      });
    clock.advance(1);
    for (const fn of turns.splice(0)) fn();
  }
  log.value.close();
  const r = await logs.read(ID, 1);
  assert.ok(r.ok);
  assert.equal(log.value.counters.offered, 100_000);
  // 20 lines of the burst + one summary per 1 s window (10) + the last at close, at most.
  assert.ok(r.value.entries.length <= 31, `${r.value.entries.length} lines in the file`);
  const folded = r.value.entries
    .filter((e) => e.message.startsWith('…'))
    .reduce((n, e) => n + Number(/^… (\d+)/.exec(e.message)?.[1] ?? 0), 0);
  assert.equal(folded + 20, 100_000, 'every line is accounted for');
  assert.ok(viewed <= 31, `${viewed} lines to the view`);
});
