// Builds IPv4/IPv6 UDP datagrams with valid checksums, and cuts a UDP GSO packet back into
// datagrams the way the kernel does (__udp_gso_segment), for the UDP merge tests (unit: the addon's
// coalesce(); integration: datagrams written into a real TUN).
import { onesSum, pseudoSum, writeIpHeader } from './tcp-segments.js';

export interface DatagramSpec {
  readonly v6?: boolean;
  readonly src?: string;
  readonly dst?: string;
  readonly sport?: number;
  readonly dport?: number;
  readonly payload: Buffer;
  readonly tos?: number;
  readonly ttl?: number;
  readonly id?: number;
  /** IPv4 only: a checksum of 0, "none" (RFC 768). */
  readonly noChecksum?: boolean;
}

const ipLengthOf = (p: Buffer): number => ((p[0] ?? 0) >> 4 === 6 ? 40 : ((p[0] ?? 0) & 0x0f) * 4);

/** Sum of the UDP pseudo-header of `p` for a UDP length of `udpLength`. */
export function udpPseudoSum(p: Buffer, udpLength: number): number {
  return pseudoSum(p, (p[0] ?? 0) >> 4 === 6, udpLength, 17);
}

/** The UDP checksum of `p` as a sender computes it (0 becomes 0xffff, RFC 768). */
export function udpChecksum(p: Buffer): number {
  const l3 = ipLengthOf(p);
  const c = Buffer.from(p.subarray(l3));
  c.writeUInt16BE(0, 6);
  const sum = ~onesSum(c, udpPseudoSum(p, p.length - l3)) & 0xffff;
  return sum === 0 ? 0xffff : sum;
}

export function datagram(s: DatagramSpec): Buffer {
  const v6 = s.v6 ?? false;
  const l3 = v6 ? 40 : 20;
  const p = Buffer.alloc(l3 + 8 + s.payload.length);
  writeIpHeader(p, { ...s, v6, protocol: 17, l4Length: 8 + s.payload.length });
  p.writeUInt16BE(s.sport ?? 5000, l3);
  p.writeUInt16BE(s.dport ?? 7000, l3 + 2);
  p.writeUInt16BE(8 + s.payload.length, l3 + 4);
  s.payload.copy(p, l3 + 8);
  if (!(s.noChecksum === true && !v6)) p.writeUInt16BE(udpChecksum(p), l3 + 6);
  return p;
}

/** Datagrams of `size` payload bytes cut from `data` (the last one shorter), IPv4 IDs counting up. */
export function datagrams(base: Omit<DatagramSpec, 'payload'>, data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0, i = 0; off < data.length; off += size, i++)
    out.push(datagram({ ...base, id: ((base.id ?? 0) + i) & 0xffff, payload: data.subarray(off, off + size) }));
  return out;
}

export function udpPayload(p: Buffer): Buffer {
  return p.subarray(ipLengthOf(p) + 8);
}

export function udpChecksumOk(p: Buffer): boolean {
  const l3 = ipLengthOf(p);
  if (l3 === 20 && onesSum(p.subarray(0, 20)) !== 0xffff) return false;
  if (l3 === 20 && p.readUInt16BE(26) === 0) return true;
  return onesSum(p.subarray(l3), udpPseudoSum(p, p.length - l3)) === 0xffff;
}

/**
 * What the kernel makes of a UDP GSO packet: datagrams of gsoSize payload bytes (the last one
 * shorter) with its headers, each with its own lengths, IPv4 ID counting up from the packet's,
 * and computed checksums.
 */
export function segmentUdp(p: Buffer, gsoSize: number): Buffer[] {
  const l3 = ipLengthOf(p);
  const head = p.subarray(0, l3 + 8);
  const payload = p.subarray(l3 + 8);
  const out: Buffer[] = [];
  for (let off = 0, i = 0; off < payload.length; off += gsoSize, i++) {
    const d = Buffer.concat([head, payload.subarray(off, off + gsoSize)]);
    if (l3 === 20) {
      d.writeUInt16BE(d.length, 2);
      d.writeUInt16BE((head.readUInt16BE(4) + i) & 0xffff, 4);
      d.writeUInt16BE(0, 10);
      d.writeUInt16BE(~onesSum(d.subarray(0, 20)) & 0xffff, 10);
    } else {
      d.writeUInt16BE(d.length - 40, 4);
    }
    d.writeUInt16BE(d.length - l3, l3 + 4);
    d.writeUInt16BE(udpChecksum(d), l3 + 6);
    out.push(d);
  }
  return out;
}
