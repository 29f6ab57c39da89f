import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { TunnelState } from '../../../../main/engine/datapath/tunnel.js';
import { failure } from '../../../../main/engine/failure.js';
import { bareMessage, encodeControlPacket } from '../../../../main/engine/sstp/control-packet.js';
import { encodeDataPacket } from '../../../../main/engine/sstp/header.js';
import { createConnectionMetrics } from '../../../../main/services/metrics/connection-metrics.js';
import { parseMetricsListen } from '../../../../main/services/metrics/listen-address.js';
import { startMetricsServer } from '../../../../main/services/metrics/metrics-server.js';
import { parsePromText, sampleValue } from '../../../support/prom-text.js';
import { ppp } from '../../engine/diagnostics/frames.js';

const connected = (timings: { phase: string; ms: number }[]): TunnelState =>
  ({
    state: 'connected',
    interfaceName: 'causeway0',
    ipv4: { local: '192.168.30.10', peer: '192.168.30.1', dns: [] },
    mtu: 1400,
    routing: { mode: 'full' },
    dns: [],
    info: {
      ipv4: { local: '192.168.30.10', peer: '192.168.30.1', dns: [] },
      mru: 1500,
      peerMru: 1500,
      authMethod: 'mschapv2',
      tls: { version: 'TLSv1.3', cipher: 'x', certificate: {} },
      timings,
    },
    reconnects: 0,
  }) as unknown as TunnelState;

test('bytes each way, SSTP echo round trips (split across reads), states, connects, reconnects by reason, phase durations', async () => {
  const clock = new ManualClock();
  clock.advance(1_700_000_000_000);
  const m = createConnectionMetrics({ clock, labels: { server: 'vpn.example:443' } });
  m.tap.open(undefined);
  m.tap.bytes('out', 'http', Buffer.alloc(150));
  m.tap.bytes('in', 'http', Buffer.alloc(90));
  const data = encodeDataPacket(Buffer.from('ff030021450000140000000040000000', 'hex'));
  m.tap.bytes('in', 'sstp', data);
  m.tap.bytes('out', 'sstp', encodeControlPacket(bareMessage('ECHO_REQUEST')));
  clock.advance(12);
  const response = Buffer.concat([data, encodeControlPacket(bareMessage('ECHO_RESPONSE'))]);
  m.tap.bytes('in', 'sstp', response.subarray(0, data.length + 3));
  m.tap.bytes('in', 'sstp', response.subarray(data.length + 3));
  m.onTunnelState(
    connected([
      { phase: 'tls', ms: 40 },
      { phase: 'auth', ms: 250 },
    ]),
  );
  m.onTunnelState({
    state: 'reconnecting',
    attempt: 1,
    delayMs: 1000,
    reason: failure('connected', 'connection-lost', 'lost'),
  });
  m.onTunnelState(connected([{ phase: 'auth', ms: 300 }]));

  const f = parsePromText(await m.registry.metrics());
  assert.equal(f.get('causeway_sstp_bytes_total')?.type, 'counter');
  assert.equal(sampleValue(f, 'causeway_sstp_bytes_total', { direction: 'out' }), 150 + 8);
  assert.equal(sampleValue(f, 'causeway_sstp_bytes_total', { direction: 'in' }), 90 + data.length * 2 + 8);
  assert.equal(sampleValue(f, 'causeway_echo_rtt_seconds_count', { layer: 'sstp' }), 1);
  assert.equal(sampleValue(f, 'causeway_echo_rtt_seconds_sum', { layer: 'sstp' }), 0.012);
  assert.equal(sampleValue(f, 'causeway_echo_rtt_seconds_bucket', { layer: 'sstp', le: '0.025' }), 1);
  assert.equal(sampleValue(f, 'causeway_echo_rtt_seconds_bucket', { layer: 'sstp', le: '0.01' }), 0);
  // LCP Echo-Request id 5 out, an unrelated Echo-Reply id 4 in (ignored), then the reply to id 5.
  m.tap.bytes('out', 'sstp', ppp(0xc021, 9, 5, Buffer.alloc(4)));
  clock.advance(30);
  m.tap.bytes('in', 'sstp', ppp(0xc021, 10, 4, Buffer.alloc(4)));
  m.tap.bytes('in', 'sstp', ppp(0xc021, 10, 5, Buffer.alloc(4)));
  const lcp = parsePromText(await m.registry.metrics());
  assert.equal(sampleValue(lcp, 'causeway_echo_rtt_seconds_count', { layer: 'lcp' }), 1);
  assert.equal(sampleValue(lcp, 'causeway_echo_rtt_seconds_sum', { layer: 'lcp' }), 0.03);
  assert.equal(sampleValue(f, 'causeway_connects_total'), 2);
  assert.equal(sampleValue(f, 'causeway_reconnects_total', { reason: 'connection-lost' }), 1);
  assert.equal(sampleValue(f, 'causeway_tunnel_state', { state: 'connected' }), 1);
  assert.equal(sampleValue(f, 'causeway_tunnel_state', { state: 'reconnecting' }), 0);
  assert.equal(sampleValue(f, 'causeway_tunnel_up'), 1);
  assert.equal(sampleValue(f, 'causeway_phase_duration_seconds_count', { phase: 'auth' }), 2);
  assert.equal(sampleValue(f, 'causeway_phase_duration_seconds_sum', { phase: 'auth' }), 0.55);
  assert.equal(sampleValue(f, 'causeway_connected_since_seconds'), 1_700_000_000.012);
  assert.equal(
    sampleValue(f, 'causeway_tunnel_up', { server: 'vpn.example:443' }),
    1,
    'default labels on every sample',
  );

  m.onTunnelState({ state: 'disconnected', reason: null });
  const g = parsePromText(await m.registry.metrics());
  assert.equal(sampleValue(g, 'causeway_tunnel_up'), 0);
  assert.equal(sampleValue(g, 'causeway_disconnects_total', { reason: 'none' }), 1);
});

test('an echo response with no request outstanding, or after a reconnect, is not timed', async () => {
  const clock = new ManualClock();
  const m = createConnectionMetrics({ clock });
  m.tap.open(undefined);
  m.tap.bytes('in', 'sstp', encodeControlPacket(bareMessage('ECHO_RESPONSE')));
  m.tap.bytes('out', 'sstp', encodeControlPacket(bareMessage('ECHO_REQUEST')));
  m.tap.open(undefined);
  m.tap.bytes('in', 'sstp', encodeControlPacket(bareMessage('ECHO_RESPONSE')));
  assert.equal(
    sampleValue(parsePromText(await m.registry.metrics()), 'causeway_echo_rtt_seconds_count', { layer: 'sstp' }) ?? 0,
    0,
  );
});

test('the listen address is loopback unless explicitly allowed; bad text is explained', () => {
  assert.deepEqual(parseMetricsListen('127.0.0.1:9464', false), {
    ok: true,
    listen: { host: '127.0.0.1', port: 9464 },
  });
  assert.deepEqual(parseMetricsListen('[::1]:9000', false), { ok: true, listen: { host: '::1', port: 9000 } });
  assert.deepEqual(parseMetricsListen('localhost:9464', false), {
    ok: true,
    listen: { host: '127.0.0.1', port: 9464 },
  });
  assert.deepEqual(parseMetricsListen('9464', false), { ok: true, listen: { host: '127.0.0.1', port: 9464 } });
  assert.deepEqual(parseMetricsListen('127.5.6.7:1', false), { ok: true, listen: { host: '127.5.6.7', port: 1 } });
  for (const remote of ['0.0.0.0:9464', '192.168.1.5:9464', '[::]:9464', '[2001:db8::1]:9464']) {
    const r = parseMetricsListen(remote, false);
    assert.equal(r.ok, false, remote);
    assert.match(r.ok ? '' : r.message, /not a loopback address/);
    assert.equal(parseMetricsListen(remote, true).ok, true, `${remote} when allowed`);
  }
  for (const bad of ['127.0.0.1:0x10', '127.0.0.1:70000', 'example.com:9464', ':9464', '127.0.0.1']) {
    const r = parseMetricsListen(bad, false);
    assert.equal(r.ok, false, bad);
  }
});

test('the server answers GET /metrics in the text format, 404 elsewhere, 405 for other methods; a busy port is a typed refusal', async () => {
  const m = createConnectionMetrics();
  const started = await startMetricsServer(m.registry, { host: '127.0.0.1', port: 0 });
  assert.ok(started.ok);
  const s = started.server;
  try {
    const base = `http://127.0.0.1:${s.address.port}`;
    const r = await fetch(`${base}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(sampleValue(parsePromText(await r.text()), 'causeway_tunnel_state', { state: 'connecting' }), 1);
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
    const busy = await startMetricsServer(m.registry, { host: '127.0.0.1', port: s.address.port });
    assert.equal(busy.ok, false);
    assert.match(busy.ok ? '' : busy.message, /the port is in use/);
  } finally {
    await s.close();
  }
});
