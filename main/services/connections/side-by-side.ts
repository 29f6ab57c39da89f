// What two tunnels on one machine cannot share, as one rule set for every caller that runs several at
// once (the app's connection service; `causeway connect A B C` decides the same things). Only tunnels
// with the system data plane are judged: a session-only tunnel has no TUN, routes or kill switch.
// - Two full tunnels: each captures all traffic (a table of its own), so only the last one up would
//   carry any.
// - One route in two tunnels: the kernel keeps one route per prefix, so one of them would not get it.
//   Overlapping but different prefixes are fine: the longest prefix wins, which is what the user asked.
// - A kill switch beside any other tunnel: the helper's nftables table (`inet causeway`) is one per
//   network namespace, so each helper would replace the other's.
import { networkOf } from '../../engine/addresses.js';

export interface TunnelClaim {
  /** The profile's name, as the user knows it. */
  readonly name: string;
  readonly routing: { readonly mode: 'full' } | { readonly mode: 'split'; readonly routes: readonly string[] };
  readonly killSwitch: boolean;
}

export type SideBySideConflict =
  | { readonly kind: 'kill-switch'; readonly with: string; readonly message: string }
  | { readonly kind: 'two-full-tunnels'; readonly with: string; readonly message: string }
  | { readonly kind: 'same-route'; readonly with: string; readonly route: string; readonly message: string };

const quoted = (name: string) => `"${name}"`;

/** A route as the kernel keys it (10.77.1.1/24 and 10.77.1.0/24 are one), or the text when unparsable. */
function routeKey(route: string): string {
  return networkOf(route.includes('/') ? route : `${route}/${route.includes(':') ? 128 : 32}`) ?? route;
}

/**
 * Why `next` cannot come up beside the tunnels already `up` (in the order they came up), or null.
 * The message names both profiles and says what to do instead.
 */
export function sideBySideConflict(next: TunnelClaim, up: readonly TunnelClaim[]): SideBySideConflict | null {
  for (const other of up) {
    if (next.killSwitch || other.killSwitch) {
      const owner = next.killSwitch ? next : other;
      return {
        kind: 'kill-switch',
        with: other.name,
        message:
          `${quoted(owner.name)} has the kill switch on, and there is one kill switch per machine: ` +
          `${quoted(next.name)} and ${quoted(other.name)} cannot be connected together. Disconnect ` +
          `${quoted(other.name)} first, or turn the kill switch off (Settings, or the profile's own setting).`,
      };
    }
    if (next.routing.mode === 'full' && other.routing.mode === 'full') {
      return {
        kind: 'two-full-tunnels',
        with: other.name,
        message:
          `${quoted(other.name)} is connected as a full tunnel, and ${quoted(next.name)} is one too: each ` +
          `captures all traffic, so only the last one up would carry any. Disconnect ${quoted(other.name)} ` +
          'first, or give one of them split routes (Edit → Routing: split).',
      };
    }
    if (next.routing.mode === 'split' && other.routing.mode === 'split') {
      const theirs = new Set(other.routing.routes.map(routeKey));
      const shared = next.routing.routes.find((r) => theirs.has(routeKey(r)));
      if (shared !== undefined) {
        return {
          kind: 'same-route',
          with: other.name,
          route: routeKey(shared),
          message:
            `Route ${routeKey(shared)} is in both ${quoted(other.name)} (connected) and ${quoted(next.name)}: ` +
            `only one of them could get it. Disconnect ${quoted(other.name)} first, or give each profile ` +
            'its own routes.',
        };
      }
    }
  }
  return null;
}
