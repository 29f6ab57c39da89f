// The tunnel's IPv6 in `causeway connect` output: the 'connected' event's fields and its line.
import type { TunnelState } from '../engine/datapath/tunnel.js';

type Connected = Extract<TunnelState, { state: 'connected' }>;

/** routes, dns and ipv6 of a 'connected' event (IPv6 may come after IPv4: a second event says so). */
export function ipv6EventFields(s: Connected): Record<string, unknown> {
  return {
    routes: s.routing.mode === 'full' ? ['0.0.0.0/0', ...(s.ipv6 ? ['::/0'] : [])] : s.routing.routes,
    dns: [...s.dns, ...(s.ipv6?.dns ?? [])],
    ...(s.ipv6 ? { ipv6: { address: s.ipv6.address, linkLocal: s.ipv6.linkLocal } } : {}),
  };
}

/** ", IPv6 2001:db8::…/64" (or the link-local one while no router advertisement gave an address). */
export function ipv6Text(e: Record<string, unknown>): string {
  const v6 = e['ipv6'] as { address: string | null; linkLocal: string } | undefined;
  return v6 === undefined ? '' : `, IPv6 ${v6.address ?? `${v6.linkLocal} (no router advertisement yet)`}`;
}
