import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ConnectionSnapshot } from '../../../../main/contract/model.js';
import { ManualClock } from '../../../../main/engine/clock.js';
import { bareMessage, encodeControlPacket } from '../../../../main/engine/sstp/control-packet.js';
import { AppMetrics } from '../../../../main/services/metrics/app-metrics.js';
import { parsePromText, sampleValue } from '../../../support/prom-text.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-app-metrics-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const snap = (profileId: string, state: Record<string, unknown>): ConnectionSnapshot =>
  ({ profileId, ...state }) as unknown as ConnectionSnapshot;

test('the app setting: off by default, served on a loopback address once enabled, saved, refused elsewhere, off again', async () => {
  const file = join(dir, 'metrics.json');
  const clock = new ManualClock();
  const m = new AppMetrics(file, clock);
  assert.deepEqual(m.get(), { enabled: false, listen: '127.0.0.1:9464', url: null });
  assert.equal(m.sessionTap(), undefined, 'off: sessions get no tap at all');

  const port = await freePort();
  const on = await m.set(true, `127.0.0.1:${port}`);
  assert.ok(on.ok, on.ok ? '' : on.message);
  assert.equal(on.setting.url, `http://127.0.0.1:${port}/metrics`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1, enabled: true, listen: `127.0.0.1:${port}` });

  m.onSnapshot(snap('p1', { state: 'connecting', phase: 'tls', attempt: 1 }));
  m.onSnapshot(snap('p1', { state: 'connected', attempt: 1 }));
  m.onSnapshot(snap('p1', { state: 'connected', attempt: 1 })); // a byte-count refresh is not a new connect
  m.onSnapshot(
    snap('p1', {
      state: 'reconnecting',
      retry: 1,
      retryAt: 0,
      failure: { phase: 'connected', code: 'connection-lost', message: 'x' },
    }),
  );
  m.onSnapshot(snap('p1', { state: 'connected', attempt: 2 }));
  const a = m.sessionTap();
  const b = m.sessionTap();
  assert.ok(a && b);
  a.open(undefined);
  b.open(undefined);
  a.bytes('out', 'sstp', encodeControlPacket(bareMessage('ECHO_REQUEST')));
  // A second session's bytes in between must not confuse the first one's echo timing.
  b.bytes('in', 'sstp', encodeControlPacket(bareMessage('ECHO_RESPONSE')).subarray(0, 5));
  clock.advance(20);
  a.bytes('in', 'sstp', encodeControlPacket(bareMessage('ECHO_RESPONSE')));

  const text = await (await fetch(on.setting.url ?? '')).text();
  const f = parsePromText(text);
  assert.equal(sampleValue(f, 'causeway_connection_state', { profile: 'p1', state: 'connected' }), 1);
  assert.equal(sampleValue(f, 'causeway_connection_state', { profile: 'p1', state: 'reconnecting' }), 0);
  assert.equal(sampleValue(f, 'causeway_connects_total', { profile: 'p1' }), 2);
  assert.equal(sampleValue(f, 'causeway_reconnects_total', { profile: 'p1', reason: 'connection-lost' }), 1);
  assert.equal(sampleValue(f, 'causeway_sstp_bytes_total', { direction: 'out' }), 8);
  assert.equal(sampleValue(f, 'causeway_sstp_bytes_total', { direction: 'in' }), 13);
  assert.equal(sampleValue(f, 'causeway_echo_rtt_seconds_count', { layer: 'sstp' }), 1);
  assert.equal(sampleValue(f, 'causeway_echo_rtt_seconds_sum', { layer: 'sstp' }), 0.02);

  const remote = await m.set(true, `0.0.0.0:${port}`);
  assert.equal(remote.ok, false);
  assert.match(remote.ok ? '' : remote.message, /not a loopback address/);
  assert.equal(m.get().url, `http://127.0.0.1:${port}/metrics`, 'a refused change keeps what was served');

  // A restart of the app serves again from the saved setting.
  await m.shutdown();
  const again = new AppMetrics(file, clock);
  await again.start();
  assert.equal(again.get().url, `http://127.0.0.1:${port}/metrics`);
  assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200);
  const off = await again.set(false, `127.0.0.1:${port}`);
  assert.ok(off.ok);
  assert.equal(off.setting.url, null);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the port is closed');
});
