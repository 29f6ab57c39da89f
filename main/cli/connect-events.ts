// What `causeway connect` says for each state of its tunnel: the JSON event (--json) and the line of
// text a terminal shows for it. Its own file so the command stays about wiring the tunnel up.
import type { TunnelState } from '../engine/datapath/tunnel.js';
import { ipv6EventFields, ipv6Text } from './ipv6-status.js';

/** The JSON event for a tunnel state (`causeway connect --json` prints it as it is). */
export function connectEvent(s: TunnelState): Record<string, unknown> {
  switch (s.state) {
    case 'connecting':
      return { event: 'connecting', attempt: s.attempt };
    case 'connected':
      return {
        event: 'connected',
        interface: s.interfaceName,
        address: s.ipv4.local,
        peer: s.ipv4.peer,
        mtu: s.mtu,
        ...ipv6EventFields(s),
        tls: { version: s.info.tls.version, cipher: s.info.tls.cipher },
        // Which server of the list (and which of its addresses) the tunnel runs over.
        ...(s.info.server ? { server: s.info.server } : {}),
        reconnects: s.reconnects,
      };
    case 'reconnecting':
      return { event: 'reconnecting', attempt: s.attempt, delayMs: s.delayMs, reason: s.reason };
    case 'waiting-for-network':
      return { event: 'waiting-for-network', attempt: s.attempt, reason: s.reason };
    case 'checking':
      return { event: 'checking', reason: s.reason };
    case 'disconnected':
      return { event: 'disconnected', reason: s.reason };
  }
}

/** The line of text for an event of connectEvent() (or of the metrics server) without --json. */
export function describeConnectEvent(e: Record<string, unknown>): string {
  switch (e['event']) {
    case 'connecting':
      return 'connecting…';
    case 'connected':
      return `connected: ${String(e['interface'])} ${String(e['address'])} → ${String(e['peer'])}${ipv6Text(e)}, routes ${(e['routes'] as string[]).join(', ') || '(peer only)'}, DNS ${(e['dns'] as string[]).join(', ') || '(unchanged)'}`;
    case 'reconnecting': {
      const r = e['reason'] as { message: string };
      return `connection lost (${r.message}); reconnecting in ${Math.round(Number(e['delayMs']) / 100) / 10} s (attempt ${String(e['attempt'])})`;
    }
    case 'waiting-for-network': {
      const r = e['reason'] as { message: string };
      return `connection lost (${r.message}); waiting for network: no route to the server, reconnecting as soon as there is one`;
    }
    case 'checking':
      return `checking the tunnel (${String(e['reason'])}): not counted as connected until the server answers`;
    case 'metrics':
      return `metrics: ${String(e['url'])}`;
    case 'disconnected': {
      const r = e['reason'] as { message: string } | null;
      return r ? `disconnected: ${r.message}` : 'disconnected';
    }
    default:
      return JSON.stringify(e);
  }
}
