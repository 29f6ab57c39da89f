import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AppendFile, type AppendStopped } from '../../../../main/engine/diagnostics/append-file.js';
import { KeyLog } from '../../../../main/engine/diagnostics/keylog.js';
import { redactPppFrame } from '../../../../main/engine/diagnostics/redact-auth.js';
import { combineTaps, guardTap, type StreamTap } from '../../../../main/engine/diagnostics/stream-tap.js';
import { mschapv2Response, papRequest, ppp } from './frames.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-diag-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the key log appends lines to a private file, and tightens an existing one to 0600', async () => {
  const path = join(dir, 'keys.log');
  writeFileSync(path, 'CLIENT_RANDOM earlier run\n', { mode: 0o644 });
  chmodSync(path, 0o644);
  const opened = KeyLog.open(path, () => assert.fail('no stop'));
  assert.ok(opened.ok);
  opened.keylog.keylog(Buffer.from('CLIENT_HANDSHAKE_TRAFFIC_SECRET aa bb\n'));
  opened.keylog.keylog(Buffer.from('SERVER_HANDSHAKE_TRAFFIC_SECRET aa cc\n'));
  await opened.keylog.close();
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(
    readFileSync(path, 'utf8'),
    'CLIENT_RANDOM earlier run\nCLIENT_HANDSHAKE_TRAFFIC_SECRET aa bb\nSERVER_HANDSHAKE_TRAFFIC_SECRET aa cc\n',
  );
  assert.equal(opened.keylog.lineCount, 2);
});

test('a writer that falls behind its backlog limit stops once, with reason backlog; later appends are dropped', async () => {
  const stops: AppendStopped[] = [];
  const opened = AppendFile.open(join(dir, 'backlog.bin'), {
    mode: 'truncate',
    backlogLimit: 1000,
    onStop: (s) => stops.push(s),
  });
  assert.ok(opened.ok);
  const f = opened.file;
  // The first append starts a write (nothing stays queued); the next ones queue behind it.
  f.append(Buffer.alloc(600));
  f.append(Buffer.alloc(600));
  f.append(Buffer.alloc(600));
  f.append(Buffer.alloc(600));
  await f.close();
  assert.deepEqual(
    stops.map((s) => s.reason),
    ['backlog'],
  );
  assert.ok(f.isStopped);
  assert.ok(statSync(join(dir, 'backlog.bin')).size <= 1200);
});

test('redaction: PAP password and MS-CHAPv2 NT-Response blanked in a copy; other frames untouched (undefined)', () => {
  const pap = papRequest('bob', 'hunter2');
  const red = redactPppFrame(pap, 4, pap.length);
  assert.ok(red);
  assert.equal(red.length, pap.length);
  assert.equal(red.indexOf('hunter2'), -1);
  assert.notEqual(red.indexOf('*******'), -1);
  assert.notEqual(pap.indexOf('hunter2'), -1, 'the original (what the session sends) is not modified');
  const ms = mschapv2Response('bob');
  const r2 = redactPppFrame(ms, 4, ms.length);
  assert.ok(r2);
  assert.equal(
    r2.subarray(4 + 2 + 2 + 4 + 1 + 24, 4 + 2 + 2 + 4 + 1 + 48).every((b) => b === 0),
    true,
    'NT-Response zeroed',
  );
  assert.equal(
    r2.subarray(4 + 2 + 2 + 4 + 1, 4 + 2 + 2 + 4 + 1 + 16).every((b) => b === 0x11),
    true,
    'peer challenge kept',
  );
  const lcp = ppp(0xc021, 1, 1, Buffer.from('010405dc', 'hex'));
  assert.equal(redactPppFrame(lcp, 4, lcp.length), undefined);
  // Truncated auth packets are left alone rather than read past their end.
  const short = ppp(0xc023, 1, 1, Buffer.from([50, 1, 2]));
  assert.equal(redactPppFrame(short, 4, short.length), undefined);
});

test('a tap that throws is switched off after reporting once; combined taps all see the bytes', () => {
  const seen: string[] = [];
  const good: StreamTap = {
    open: () => seen.push('open'),
    bytes: (d, p, c) => seen.push(`${d}/${p}/${c.length}`),
    keylog: () => seen.push('key'),
  };
  const bad: StreamTap = {
    open: () => {},
    bytes: () => {
      throw new Error('boom');
    },
    keylog: () => {},
  };
  const faults: unknown[] = [];
  const combined = combineTaps([good, undefined, bad]);
  assert.ok(combined);
  const tap = guardTap(combined, (e) => faults.push(e));
  tap.open(undefined);
  tap.bytes('out', 'sstp', Buffer.alloc(3));
  tap.bytes('out', 'sstp', Buffer.alloc(4));
  tap.keylog(Buffer.from('x'));
  assert.deepEqual(seen, ['open', 'out/sstp/3']);
  assert.equal(faults.length, 1);
  assert.equal(combineTaps([undefined]), undefined, 'no taps: nothing for the session to call');
});

test(
  'a file created for a sudo user is theirs; an existing file keeps its owner',
  { skip: process.getuid?.() === 0 ? false : 'needs root to chown' },
  async () => {
    const fresh = join(dir, 'fresh.pcapng');
    const made = AppendFile.open(fresh, {
      mode: 'truncate',
      owner: { uid: 65534, gid: 65534 },
      onStop: () => assert.fail('no stop'),
    });
    assert.ok(made.ok);
    await made.file.close();
    assert.equal(statSync(fresh).uid, 65534);
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
    const existing = join(dir, 'existing.log');
    writeFileSync(existing, '');
    const opened = AppendFile.open(existing, {
      mode: 'append',
      owner: { uid: 65534, gid: 65534 },
      onStop: () => assert.fail('no stop'),
    });
    assert.ok(opened.ok);
    await opened.file.close();
    assert.equal(statSync(existing).uid, 0, 'not handed over');
  },
);
