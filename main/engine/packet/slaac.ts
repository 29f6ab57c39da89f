// Stateless address autoconfiguration over the PPP link (RFC 4862 §5.5.3, RFC 5072 §5): a prefix
// from a Router Advertisement plus the interface identifier IPv6CP negotiated. Pure.
//
// Not applied here: the "two hours" rule of §5.5.3 (e), which guards a LAN against forged RAs that
// shorten lifetimes. Our RAs come from the authenticated server over the tunnel, and nobody else can
// send on this link, so its lifetimes are taken as given.
import { formatIp, parseIpv6 } from '../addresses.js';
import type { PrefixInformation } from './router-advert.js';

export interface SlaacAddress {
  /** e.g. "2001:db8:1:2:21a:2bff:fe3c:4d5e/64" */
  readonly address: string;
  readonly validLifetime: number;
  readonly preferredLifetime: number;
}

export type SlaacDecision =
  { readonly use: true; readonly address: SlaacAddress } | { readonly use: false; readonly reason: string };

/** The interface identifier ("21a:2bff:fe3c:4d5e") as the low 64 bits; undefined if malformed. */
export function interfaceIdBits(id: string): bigint | undefined {
  const ip = parseIpv6(`::${id}`);
  return ip === undefined || ip.value >> 64n !== 0n ? undefined : ip.value;
}

export function linkLocalAddress(id: string): string | undefined {
  const bits = interfaceIdBits(id);
  return bits === undefined ? undefined : `${formatIp({ family: 6, value: (0xfe80n << 112n) | bits })}/64`;
}

export function slaacAddress(p: PrefixInformation, interfaceId: string): SlaacDecision {
  if (!p.autonomous) return { use: false, reason: `${p.prefix}: not for autonomous configuration (A flag clear)` };
  if (p.high64 >> 54n === 0x3fan) return { use: false, reason: `${p.prefix}: a link-local prefix` };
  if (p.preferredLifetime > p.validLifetime)
    return { use: false, reason: `${p.prefix}: preferred lifetime above the valid lifetime` };
  // IPv6CP's identifier is 64 bits (RFC 5072 §4.1): only a /64 leaves room for exactly that.
  if (p.prefixLength !== 64) return { use: false, reason: `${p.prefix}: not a /64, so no room for the identifier` };
  const bits = interfaceIdBits(interfaceId);
  if (bits === undefined) return { use: false, reason: `unusable interface identifier ${interfaceId}` };
  const value = (p.high64 << 64n) | bits;
  return {
    use: true,
    address: {
      address: `${formatIp({ family: 6, value })}/64`,
      validLifetime: p.validLifetime,
      preferredLifetime: p.preferredLifetime,
    },
  };
}
