// Neighbor Solicitations for our own addresses, answered by the engine (RFC 4861 §7.2.4). Pure.
//
// Why the engine answers and not the kernel: a server that bridges the PPP link onto an Ethernet
// segment (SoftEther: docs/ipv6.md) relays its LAN's Neighbor Solicitations to us, sent to our
// solicited-node multicast address, and a router there reaches us only once one is answered. Linux
// never joins solicited-node groups on an IFF_NOARP device (TUN, and ppp too), so it drops them
// unanswered. Our Advertisement carries no Target Link-Layer option: the link has no link-layer
// addresses; the bridging server puts in its own, as the Ethernet side needs.
//
// Layout (after a 40-byte IPv6 header, next header 58 = ICMPv6):
//   NS: 0 type 135 | 1 code 0 | 2-3 checksum | 4-7 reserved | 8-23 target | 24.. options
//   NA: 0 type 136 | 1 code 0 | 2-3 checksum | 4 flags (R 0x80, S 0x40, O 0x20) | 5-7 reserved | 8-23 target
import { icmpv6Checksum } from './checksum.js';

const IPV6_HEADER = 40;
const ICMPV6 = 58;
const TYPE_NS = 135;
const TYPE_NA = 136;
const NS_MIN = 24;
const FLAG_SOLICITED = 0x40;
const FLAG_OVERRIDE = 0x20;
/** ff02::1, where an answer to a solicitation from the unspecified address goes (RFC 4861 §7.2.4). */
const ALL_NODES = 0xff020000000000000000000000000001n;

export interface NeighborSolicitation {
  /** The solicitor; 0n is the unspecified address (duplicate address detection). */
  readonly source: bigint;
  readonly target: bigint;
}

/** Cheap check for the pump: an IPv6 packet carrying ICMPv6 type 135 right after the fixed header. */
export function isNeighborSolicitation(p: Uint8Array): boolean {
  return p.length > IPV6_HEADER && (p[0] ?? 0) >> 4 === 6 && p[6] === ICMPV6 && p[IPV6_HEADER] === TYPE_NS;
}

/** A valid solicitation (RFC 4861 §7.1.1: hop limit 255, code 0, 24+ bytes, checksum, unicast target); else undefined. */
export function parseNeighborSolicitation(p: Uint8Array): NeighborSolicitation | undefined {
  if (!isNeighborSolicitation(p) || p[IPV6_HEADER + 1] !== 0 || p[7] !== 255) return undefined;
  const end = IPV6_HEADER + (((p[4] ?? 0) << 8) | (p[5] ?? 0));
  if (end > p.length || end - IPV6_HEADER < NS_MIN) return undefined;
  if (icmpv6Checksum(p, end) !== 0) return undefined;
  const target = readAddress(p, IPV6_HEADER + 8);
  if (target >> 120n === 0xffn) return undefined; // a multicast target is never valid
  return { source: readAddress(p, 8), target };
}

/** The answer to `ns` for our address ns.target: solicited (unless for DAD) and overriding. */
export function buildNeighborAdvertisement(ns: NeighborSolicitation): Buffer {
  const length = 24;
  const p = Buffer.alloc(IPV6_HEADER + length);
  p[0] = 0x60;
  p.writeUInt16BE(length, 4);
  p[6] = ICMPV6;
  p[7] = 255;
  writeAddress(p, 8, ns.target);
  writeAddress(p, 24, ns.source === 0n ? ALL_NODES : ns.source);
  p[IPV6_HEADER] = TYPE_NA;
  p[IPV6_HEADER + 4] = (ns.source === 0n ? 0 : FLAG_SOLICITED) | FLAG_OVERRIDE;
  writeAddress(p, IPV6_HEADER + 8, ns.target);
  p.writeUInt16BE(icmpv6Checksum(p, p.length), IPV6_HEADER + 2);
  return p;
}

function readAddress(p: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(p[at + i] ?? 0);
  return v;
}

function writeAddress(p: Buffer, at: number, value: bigint): void {
  for (let i = 15; i >= 0; i--) p[at + i] = Number((value >> BigInt((15 - i) * 8)) & 0xffn);
}
