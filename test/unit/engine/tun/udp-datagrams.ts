// Builds IPv4/IPv6 UDP datagrams with valid checksums, and cuts a UDP GSO packet back into
// datagrams the way the kernel does (__udp_gso_segment), for the UDP merge tests (unit: the addon's
// coalesce(); integration: datagrams written into a real TUN).
import { onesSum } from './tcp-segments.js';

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

function v4bytes(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

function v6bytes(text: string): Buffer {
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

const ipLengthOf = (p: Buffer): number => ((p[0] ?? 0) >> 4 === 6 ? 40 : ((p[0] ?? 0) & 0x0f) * 4);

/** Sum of the UDP pseudo-header of `p` for a UDP length of `udpLength`. */
export function udpPseudoSum(p: Buffer, udpLength: number): number {
  if ((p[0] ?? 0) >> 4 !== 6)
    return onesSum(Buffer.concat([p.subarray(12, 20), Buffer.from([0, 17, udpLength >> 8, udpLength & 0xff])]));
  const tail = Buffer.alloc(8);
  tail.writeUInt32BE(udpLength, 0);
  tail[7] = 17;
  return onesSum(Buffer.concat([p.subarray(8, 40), tail]));
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
  if (!v6) {
    p[0] = 0x45;
    p[1] = s.tos ?? 0;
    p.writeUInt16BE(p.length, 2);
    p.writeUInt16BE(s.id ?? 0, 4);
    p[6] = 0x40; // DF
    p[8] = s.ttl ?? 64;
    p[9] = 17;
    v4bytes(s.src ?? '10.97.1.5').copy(p, 12);
    v4bytes(s.dst ?? '10.97.0.1').copy(p, 16);
    p.writeUInt16BE(~onesSum(p.subarray(0, 20)) & 0xffff, 10);
  } else {
    p.writeUInt32BE(0x60000000 | ((s.tos ?? 0) << 20), 0);
    p.writeUInt16BE(8 + s.payload.length, 4);
    p[6] = 17;
    p[7] = s.ttl ?? 64;
    v6bytes(s.src ?? 'fd97::5').copy(p, 8);
    v6bytes(s.dst ?? 'fd97::1').copy(p, 24);
  }
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
