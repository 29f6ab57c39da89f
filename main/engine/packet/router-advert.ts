// Router Advertisements received over the PPP link (RFC 4861 §4.2), read by the engine, not the kernel.
//
// Why the engine and not the kernel (tried on Linux 6.18 with a TUN in a network namespace, RA
// written into the device): the kernel does take the RA on a TUN (accept_ra), but it cannot give the
// address the identifier IPv6CP negotiated. `ip token` is refused ("Device does not do neighbour
// discovery": TUN is IFF_NOARP), and addrgenmode eui64 is turned into `random` for ARPHRD_NONE, so
// SLAAC made 2001:db8:1:2:50ec:6b1e:ad02:5567 (stable-privacy) and a second, random link-local.
// It also installed `default via fe80::1 proto ra`, which in split mode would capture all IPv6, and
// it never applies RDNSS (RFC 8106) itself. So the engine reads the RA here, the helper adds
// prefix + negotiated identifier with the RA's lifetimes, the routes follow the tunnel's mode, and
// the TUN never sees the RA (the pump diverts it).
//
// Layout (after a 40-byte IPv6 header, next header 58 = ICMPv6):
//   0 type 134 | 1 code 0 | 2-3 checksum | 4 cur hop limit | 5 M/O flags | 6-7 router lifetime (s)
//   8-11 reachable time (ms) | 12-15 retrans timer (ms) | 16.. options, each: type, length in 8 octets
// Prefix Information (type 3, length 4): 2 prefix length, 3 flags (L 0x80, A 0x40), 4-7 valid
//   lifetime, 8-11 preferred lifetime, 12-15 reserved, 16-31 prefix.
// RDNSS (RFC 8106, type 25, length 3 + 2n): 2-3 reserved, 4-7 lifetime, then n addresses.
// MTU (type 5, length 1): 2-3 reserved, 4-7 MTU.
import { formatIp, type IpAddress } from '../addresses.js';
import { icmpv6Checksum } from './checksum.js';

export interface PrefixInformation {
  /** The prefix with its length, e.g. "2001:db8:1:2::/64". */
  readonly prefix: string;
  readonly prefixLength: number;
  readonly onLink: boolean;
  readonly autonomous: boolean;
  /** Seconds; 0xffffffff is infinity. */
  readonly validLifetime: number;
  readonly preferredLifetime: number;
  /** The prefix's top 64 bits, for joining with an interface identifier. */
  readonly high64: bigint;
}

export interface RouterAdvertisement {
  readonly source: string;
  /** Seconds; 0: not a default router. */
  readonly routerLifetime: number;
  readonly prefixes: readonly PrefixInformation[];
  /** RDNSS servers with their lifetime (seconds; 0: stop using them). */
  readonly dns: readonly { readonly address: string; readonly lifetime: number }[];
  readonly mtu?: number;
}

export type RaError = {
  readonly code:
    'truncated' | 'not-router-advertisement' | 'not-link-local' | 'bad-hop-limit' | 'bad-checksum' | 'bad-option';
  readonly message: string;
};

export type RaParse =
  { readonly ok: true; readonly ra: RouterAdvertisement } | { readonly ok: false; readonly error: RaError };

const IPV6_HEADER = 40;
const ICMPV6 = 58;
const TYPE_RA = 134;
const OPT_PREFIX = 3;
const OPT_MTU = 5;
const OPT_RDNSS = 25;
export const LIFETIME_INFINITY = 0xffffffff;

/** Cheap check for the pump: an IPv6 packet carrying ICMPv6 type 134 right after the fixed header. */
export function isRouterAdvertisement(p: Uint8Array): boolean {
  return p.length > IPV6_HEADER && (p[0] ?? 0) >> 4 === 6 && p[6] === ICMPV6 && p[IPV6_HEADER] === TYPE_RA;
}

function fail(code: RaError['code'], message: string): RaParse {
  return { ok: false, error: { code, message } };
}

function address(p: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(p[at + i] ?? 0);
  return v;
}

function u32(p: Uint8Array, at: number): number {
  return (((p[at] ?? 0) << 24) | ((p[at + 1] ?? 0) << 16) | ((p[at + 2] ?? 0) << 8) | (p[at + 3] ?? 0)) >>> 0;
}

function u16(p: Uint8Array, at: number): number {
  return ((p[at] ?? 0) << 8) | (p[at + 1] ?? 0);
}

const v6 = (value: bigint): IpAddress => ({ family: 6, value });

/** Validates as RFC 4861 §6.1.2 asks and decodes; anything else is a typed error, never a throw. */
export function parseRouterAdvertisement(p: Uint8Array): RaParse {
  if (p.length < IPV6_HEADER + 16)
    return fail('truncated', `${p.length} bytes is shorter than an IPv6 header and an RA`);
  if ((p[0] ?? 0) >> 4 !== 6 || p[6] !== ICMPV6 || p[IPV6_HEADER] !== TYPE_RA || p[IPV6_HEADER + 1] !== 0)
    return fail('not-router-advertisement', 'not an ICMPv6 router advertisement (type 134, code 0)');
  const end = IPV6_HEADER + u16(p, 4);
  if (end > p.length || end < IPV6_HEADER + 16)
    return fail('truncated', `payload length ${end - IPV6_HEADER} does not fit the ${p.length}-byte packet`);
  if (p[7] !== 255) return fail('bad-hop-limit', `hop limit ${p[7]}, not 255: it was forwarded, not sent on the link`);
  const source = address(p, 8);
  if (source >> 118n !== 0x3fan) return fail('not-link-local', `source ${formatIp(v6(source))} is not link-local`);
  if (icmpv6Checksum(p, end) !== 0) return fail('bad-checksum', 'ICMPv6 checksum does not match');

  const prefixes: PrefixInformation[] = [];
  const dns: { address: string; lifetime: number }[] = [];
  let mtu: number | undefined;
  for (let at = IPV6_HEADER + 16; at < end;) {
    const type = p[at] ?? 0;
    const length = (p[at + 1] ?? 0) * 8;
    if (at + 2 > end || length === 0 || at + length > end)
      return fail('bad-option', `option ${type} at offset ${at - IPV6_HEADER} has length ${length} past the packet`);
    if (type === OPT_PREFIX) {
      if (length !== 32) return fail('bad-option', `prefix information of ${length} bytes, not 32`);
      const prefixLength = p[at + 2] ?? 0;
      if (prefixLength > 128) return fail('bad-option', `prefix length ${prefixLength}`);
      const value = address(p, at + 16);
      const mask = prefixLength === 0 ? 0n : ((1n << BigInt(prefixLength)) - 1n) << BigInt(128 - prefixLength);
      prefixes.push({
        prefix: `${formatIp(v6(value & mask))}/${prefixLength}`,
        prefixLength,
        onLink: ((p[at + 3] ?? 0) & 0x80) !== 0,
        autonomous: ((p[at + 3] ?? 0) & 0x40) !== 0,
        validLifetime: u32(p, at + 4),
        preferredLifetime: u32(p, at + 8),
        high64: (value & mask) >> 64n,
      });
    } else if (type === OPT_RDNSS) {
      if (length < 24 || (length - 8) % 16 !== 0) return fail('bad-option', `RDNSS of ${length} bytes`);
      const lifetime = u32(p, at + 4);
      for (let a = at + 8; a < at + length; a += 16) dns.push({ address: formatIp(v6(address(p, a))), lifetime });
    } else if (type === OPT_MTU) {
      if (length !== 8) return fail('bad-option', `MTU option of ${length} bytes, not 8`);
      mtu = u32(p, at + 4);
    }
    // Other options (source link-layer address, route information, …) are skipped, as RFC 4861 asks.
    at += length;
  }
  return {
    ok: true,
    ra: {
      source: formatIp(v6(source)),
      routerLifetime: u16(p, IPV6_HEADER + 6),
      prefixes,
      dns,
      ...(mtu === undefined ? {} : { mtu }),
    },
  };
}
