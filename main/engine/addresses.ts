// Strict parsing of IP addresses and CIDRs: what the helper hands to `ip` (only canonical re-formatted
// values ever reach a command line: no leading zeros, no zone ids, no brackets, no host bits under a
// prefix) and what a profile may hold. One parser, so a profile is refused when it is saved, not by the
// helper after authentication. Pure: the contract's profile schema uses it too.

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface Cidr {
  readonly address: IpAddress;
  readonly prefix: number;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;
const PREFIX = /^(0|[1-9][0-9]?|1[0-2][0-9])$/;

export function parseIpv4(text: string): IpAddress | undefined {
  if (text.length > 15) return undefined;
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return { family: 4, value };
}

export function parseIpv6(text: string): IpAddress | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): bigint[] | undefined => {
    if (s === '') return [];
    const out: bigint[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(v4.value >> 16n, v4.value & 0xffffn);
      } else if (HEXTET.test(p)) {
        out.push(BigInt(parseInt(p, 16)));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  // An embedded IPv4 may only end the address.
  if (halves.length === 2 && (halves[0] ?? '').includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail];
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

export function parseIp(text: string): IpAddress | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

export type CidrParse = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string };

/** `address/prefix`; the prefix is required, and bits below it must be zero. */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'missing /prefix' };
  const address = parseIp(text.slice(0, slash));
  if (address === undefined) return { ok: false, reason: 'not an IPv4 or IPv6 address' };
  const prefixText = text.slice(slash + 1);
  const bits = address.family === 4 ? 32 : 128;
  if (!PREFIX.test(prefixText) || Number(prefixText) > bits) return { ok: false, reason: `prefix must be 0..${bits}` };
  const prefix = Number(prefixText);
  if ((address.value & hostMask(address.family, prefix)) !== 0n)
    return { ok: false, reason: 'host bits set below the prefix' };
  return { ok: true, cidr: { address, prefix } };
}

function hostMask(family: 4 | 6, prefix: number): bigint {
  const bits = family === 4 ? 32 : 128;
  return (1n << BigInt(bits - prefix)) - 1n;
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.address.family !== ip.family) return false;
  const mask = hostMask(ip.family, cidr.prefix);
  return (ip.value & ~mask) === cidr.address.value;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.address)}/${cidr.prefix}`;
}

/** The network `address/prefix` names, host bits cleared (10.1.2.3/16 → 10.1.0.0/16); undefined if not parseable. */
export function networkOf(text: string): string | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? undefined : parseIp(text.slice(0, slash));
  if (address === undefined) return undefined;
  const prefixText = text.slice(slash + 1);
  const bits = address.family === 4 ? 32 : 128;
  if (!PREFIX.test(prefixText) || Number(prefixText) > bits) return undefined;
  const prefix = Number(prefixText);
  return formatCidr({
    address: { family: address.family, value: address.value & ~hostMask(address.family, prefix) },
    prefix,
  });
}

/** A host name label sequence for resolv.conf `search` / resolvectl domain. */
export function isDomainName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length < 1 || name.length > 253) return false;
  return name.split('.').every((l) => /^[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$/.test(l));
}

/** Routes per tunnel: the profile schema and the helper's set-routes share this one limit. */
export const MAX_ROUTES = 64;
