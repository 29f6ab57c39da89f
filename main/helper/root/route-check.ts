// Routes are verified, not assumed: after set-routes, ask the kernel where a packet to an address in
// each destination would go (`ip -j route get fibmatch` names the route that matched, after the
// policy rules). A more specific route of someone else's is legitimate (the LAN inside a split
// route, the server's host route): it won before too, so the probe moves on or accepts it. Anything
// else that answers (a route as broad as ours or broader, on another device) means traffic we claim
// to carry would leave elsewhere: that is a typed failure that says what to do.
import { parseCidr, formatIp, type IpAddress } from '../../engine/addresses.js';
import { dstPrefix, routeEntries } from './ip-json.js';
import type { StepResult } from './step-result.js';
import type { HelperSystem } from './system.js';

/** Addresses to ask about for a destination: its middle, then its second address (or the host itself). */
export function probesOf(destination: string): IpAddress[] {
  const c = parseCidr(destination);
  if (!c.ok) return [];
  const bits = c.cidr.address.family === 4 ? 32 : 128;
  const host = bits - c.cidr.prefix;
  const base = c.cidr.address.value;
  if (host <= 1) return [c.cidr.address];
  return [
    { family: c.cidr.address.family, value: base + (1n << BigInt(host - 1)) },
    { family: c.cidr.address.family, value: base + 1n },
  ];
}

type Want = { readonly dev: string } | 'unreachable';

/** Every destination's probes reach `want` (our TUN, or the block), or a more specific route of someone else's. */
export async function verifyCaptured(
  system: HelperSystem,
  destinations: readonly string[],
  want: Want,
): Promise<StepResult<Record<string, never>>> {
  for (const destination of destinations) {
    const c = parseCidr(destination);
    if (!c.ok) continue;
    const family = c.cidr.address.family;
    for (const probe of probesOf(destination)) {
      const address = formatIp(probe);
      const r = await system.runner.run('ip', ['-j', 'route', 'get', 'fibmatch', address]);
      if (r.code !== 0) {
        // An `unreachable` route answers EHOSTUNREACH ("No route to host"); no route at all, ENETUNREACH.
        if (want === 'unreachable' && /No route to host|Network is unreachable/.test(r.stderr)) break;
        return fail(`\`ip route get ${address}\` failed after set-routes: ${r.stderr.trim().slice(0, 200)}`);
      }
      const route = routeEntries(r.stdout)?.[0];
      const prefix = dstPrefix(route?.dst, family);
      if (route === undefined || prefix === undefined) return fail('unreadable `ip -j route get fibmatch` output');
      if (want !== 'unreachable' && route.dev === want.dev) break;
      if (want === 'unreachable' && route.type === 'unreachable') break;
      // The LAN, the server's host route, another VPN's narrower split route: they won before too.
      if (prefix > c.cidr.prefix) continue;
      const where = route.dev === undefined ? `a ${route.type ?? 'other'} route` : `${route.dev}`;
      const table = route.table === undefined ? 'main' : route.table;
      return fail(
        `traffic for ${destination} would leave through ${where} (route ${route.dst ?? '?'}, table ${table}), ` +
          `not ${want === 'unreachable' ? 'the IPv6 block' : want.dev}: another VPN or routing rule takes it. ` +
          'Disconnect the other VPN (or remove that rule) and connect again.',
      );
    }
  }
  return { ok: true, value: {} };
}

/** A server's address still leaves through its own path, so the outer connection never enters its tunnel. */
export async function verifyServerPath(
  system: HelperSystem,
  address: string,
  dev: string,
): Promise<StepResult<Record<string, never>>> {
  const r = await system.runner.run('ip', ['-j', 'route', 'get', address]);
  const route = r.code === 0 ? routeEntries(r.stdout)?.[0] : undefined;
  if (route?.dev === dev) return { ok: true, value: {} };
  return fail(
    `the server ${address} would be reached through ${route?.dev ?? 'no route'} instead of ${dev} after set-routes, ` +
      'so the VPN connection would enter its own tunnel. Check `ip rule show` for a rule before ours, then connect again.',
  );
}

function fail(message: string): StepResult<never> {
  return { ok: false, error: { code: 'failed', message } };
}
