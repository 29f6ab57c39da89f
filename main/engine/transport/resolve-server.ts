// The TCP connection's destination (the server, or the proxy when there is one), resolved once so
// the caller can keep exactly those addresses outside the tunnel and have the session dial them.
//
// Both families are asked for (AAAA and A, through the system resolver so /etc/hosts and nsswitch
// count) and ordered for happy eyeballs. One getaddrinfo answers both at once, so RFC 8305 §3's
// "start on the first AAAA answer, wait 50 ms for it after an A" has nothing to wait for here.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SessionConfig } from '../config.js';
import { failure, type SessionFailure } from '../failure.js';
import { orderForHappyEyeballs } from './happy-eyeballs.js';

export type ResolvedServer =
  | {
      readonly ok: true;
      /**
       * The one address for callers that dial one: the system resolver's first (RFC 6724 order, so
       * IPv4 on a host without IPv6 connectivity), as before happy eyeballs.
       */
      readonly address: string;
      /** Every address of the name, IPv6 and IPv4 interleaved, IPv6 first; never empty. */
      readonly addresses: readonly string[];
    }
  | { readonly ok: false; readonly failure: SessionFailure };

/** All addresses of a name: what dns.lookup(name, { all: true }) gives. */
export type LookupAll = (host: string) => Promise<readonly { readonly address: string; readonly family: number }[]>;

const systemLookup: LookupAll = (host) => lookup(host, { all: true, verbatim: true });

/**
 * More addresses than this are not raced (or kept out of the tunnel): a round-robin name with
 * dozens of records would otherwise cost a host route each. Four of each family is plenty.
 */
export const MAX_ADDRESSES_PER_FAMILY = 4;

/** "[2001:db8::1]" as written in URLs and profiles, or a bare name/address. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export async function resolveServerAddress(
  config: SessionConfig,
  lookupAll: LookupAll = systemLookup,
): Promise<ResolvedServer> {
  const target = config.proxy ?? config;
  return resolveHost(target.host, lookupAll);
}

export async function resolveHost(name: string, lookupAll: LookupAll = systemLookup): Promise<ResolvedServer> {
  const host = unbracket(name);
  if (isIP(host) !== 0) return { ok: true, address: host, addresses: [host] };
  let found: readonly { readonly address: string; readonly family: number }[];
  try {
    found = await lookupAll(host);
  } catch (e) {
    return {
      ok: false,
      failure: failure(
        'tcp',
        'network-unreachable',
        `The host name ${host} could not be resolved. Check the spelling and your DNS.`,
        { detail: String(e) },
      ),
    };
  }
  const v6 = found.filter((a) => isIP(a.address) === 6).slice(0, MAX_ADDRESSES_PER_FAMILY);
  const v4 = found.filter((a) => isIP(a.address) === 4).slice(0, MAX_ADDRESSES_PER_FAMILY);
  const addresses = orderForHappyEyeballs([...v6, ...v4].map((a) => a.address));
  const first = [...v6, ...v4].find((a) => a.address === found[0]?.address)?.address ?? addresses[0];
  if (first === undefined)
    return {
      ok: false,
      failure: failure('tcp', 'network-unreachable', `The host name ${host} has no IPv4 or IPv6 address.`),
    };
  return { ok: true, address: first, addresses };
}
