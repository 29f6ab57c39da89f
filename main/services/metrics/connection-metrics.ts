// The Prometheus view of one tunnel (prom-client): its state, connects, reconnects by reason, bytes
// inside TLS each way, SSTP and LCP echo round trips and the duration of each connection phase. Fed by the
// tunnel's state changes and by a session tap (engine/diagnostics/stream-tap.ts); scraped over HTTP.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { systemClock, type Clock } from '../../engine/clock.js';
import type { StreamTap, TapDirection } from '../../engine/diagnostics/stream-tap.js';
import type { TunnelState } from '../../engine/datapath/tunnel.js';
import { EchoTimer } from './echo-timer.js';
import { TUNNEL_STATES } from './state-names.js';

export interface ConnectionMetrics {
  readonly registry: Registry;
  /** For SessionDeps.tap: counts bytes and times SSTP echoes. */
  readonly tap: StreamTap;
  /** Feed every tunnel state (Tunnel.onState). */
  onTunnelState(s: TunnelState): void;
}

export function createConnectionMetrics(
  opts: { clock?: Clock; labels?: Record<string, string> } = {},
): ConnectionMetrics {
  const clock = opts.clock ?? systemClock;
  const registry = new Registry();
  if (opts.labels) registry.setDefaultLabels(opts.labels);
  const state = new Gauge({
    name: 'causeway_tunnel_state',
    help: 'The tunnel state: 1 for the current one, 0 for the others.',
    labelNames: ['state'],
    registers: [registry],
  });
  const up = new Gauge({
    name: 'causeway_tunnel_up',
    help: '1 while the tunnel carries traffic.',
    registers: [registry],
  });
  const connects = new Counter({
    name: 'causeway_connects_total',
    help: 'Sessions that reached IPv4 up (the first one and every reconnect).',
    registers: [registry],
  });
  const reconnects = new Counter({
    name: 'causeway_reconnects_total',
    help: 'Reconnection attempts scheduled, by the failure code that caused them.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'causeway_disconnects_total',
    help: 'Tunnels that ended for good, by failure code (none: stopped on request).',
    labelNames: ['reason'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'causeway_sstp_bytes_total',
    help: 'Bytes inside TLS (HTTP head and SSTP stream), by direction.',
    labelNames: ['direction'],
    registers: [registry],
  });
  const echoRtt = new Histogram({
    name: 'causeway_echo_rtt_seconds',
    help: 'Round trip of a keepalive sent on a quiet line: layer sstp (ECHO_REQUEST/RESPONSE) or lcp (Echo-Request/Reply).',
    labelNames: ['layer'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const phase = new Histogram({
    name: 'causeway_phase_duration_seconds',
    help: 'Duration of each phase of a successful connection (tcp, proxy, tls, http, sstp, lcp, auth, ipcp).',
    labelNames: ['phase'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const connectedSince = new Gauge({
    name: 'causeway_connected_since_seconds',
    help: 'Unix time the current session came up (0 when down).',
    registers: [registry],
  });
  for (const s of TUNNEL_STATES) state.set({ state: s }, s === 'connecting' ? 1 : 0);
  up.set(0);
  bytes.inc({ direction: 'in' }, 0);
  bytes.inc({ direction: 'out' }, 0);

  const echo = new EchoTimer(clock, (layer, ms) => echoRtt.observe({ layer }, ms / 1000));
  const byDirection: Record<TapDirection, { inc(n: number): void }> = {
    in: bytes.labels({ direction: 'in' }),
    out: bytes.labels({ direction: 'out' }),
  };
  const tap: StreamTap = {
    open: () => echo.reset(),
    bytes: (direction, p, chunk) => {
      byDirection[direction].inc(chunk.length);
      if (p === 'sstp') echo.push(direction, chunk);
    },
    keylog: () => {},
  };

  return {
    registry,
    tap,
    onTunnelState(s) {
      for (const name of TUNNEL_STATES) state.set({ state: name }, name === s.state ? 1 : 0);
      up.set(s.state === 'connected' ? 1 : 0);
      switch (s.state) {
        case 'connected':
          connects.inc();
          connectedSince.set(clock.now() / 1000);
          for (const t of s.info.timings) phase.observe({ phase: t.phase }, t.ms / 1000);
          return;
        case 'reconnecting':
          connectedSince.set(0);
          reconnects.inc({ reason: s.reason.code });
          return;
        case 'waiting-for-network':
          connectedSince.set(0);
          return;
        case 'disconnected':
          connectedSince.set(0);
          failures.inc({ reason: s.reason?.code ?? 'none' });
          return;
        case 'connecting':
        case 'checking': // still the same session: it is answered (connected again) or lost (reconnecting)
          return;
      }
    },
  };
}
