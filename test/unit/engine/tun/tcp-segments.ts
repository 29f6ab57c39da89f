// Builds IPv4/IPv6 TCP segments with valid checksums, and checks them, for the GSO merge tests
// (unit: the addon's coalesce(); integration: segments written into a real TUN). The IP header and
// pseudo-header pieces serve udp-datagrams.ts too.

export interface SegmentSpec {
  readonly v6?: boolean;
  readonly src?: string;
  readonly dst?: string;
  readonly sport?: number;
  readonly dport?: number;
  readonly seq: number;
  readonly ack?: number;
  /** TCP flags byte; default ACK. */
  readonly flags?: number;
  readonly window?: number;
  /** Option bytes (a multiple of 4), e.g. timestamps. */
  readonly options?: Buffer;
  readonly payload: Buffer;
  readonly tos?: number;
  readonly ttl?: number;
  readonly id?: number;
}

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/** Ones-complement sum of `buf` folded to 16 bits (not inverted). */
export function onesSum(buf: Buffer, acc = 0): number {
  let sum = acc;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += (buf[buf.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
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

/** Sum of the pseudo-header of `packet` for an L4 length of `l4Length` (protocol 6 = TCP, 17 = UDP). */
export function pseudoSum(packet: Buffer, v6: boolean, l4Length: number, protocol = 6): number {
  if (!v6) {
    const tail = Buffer.from([0, protocol, l4Length >> 8, l4Length & 0xff]);
    return onesSum(Buffer.concat([packet.subarray(12, 20), tail]));
  }
  const tail = Buffer.alloc(8);
  tail.writeUInt32BE(l4Length, 0);
  tail[7] = protocol;
  return onesSum(Buffer.concat([packet.subarray(8, 40), tail]));
}

export interface IpHeaderSpec {
  readonly v6: boolean;
  readonly protocol: number;
  /** Bytes after the IP header. */
  readonly l4Length: number;
  readonly src?: string;
  readonly dst?: string;
  readonly tos?: number;
  readonly ttl?: number;
  readonly id?: number;
}

/** Writes the IPv4 (DF, checksummed) or IPv6 header at the start of `p`. */
export function writeIpHeader(p: Buffer, h: IpHeaderSpec): void {
  if (!h.v6) {
    p[0] = 0x45;
    p[1] = h.tos ?? 0;
    p.writeUInt16BE(20 + h.l4Length, 2);
    p.writeUInt16BE(h.id ?? 0, 4);
    p[6] = 0x40; // DF
    p[8] = h.ttl ?? 64;
    p[9] = h.protocol;
    v4bytes(h.src ?? '10.97.1.5').copy(p, 12);
    v4bytes(h.dst ?? '10.97.0.1').copy(p, 16);
    p.writeUInt16BE(~onesSum(p.subarray(0, 20)) & 0xffff, 10);
  } else {
    p.writeUInt32BE(0x60000000 | ((h.tos ?? 0) << 20), 0);
    p.writeUInt16BE(h.l4Length, 4);
    p[6] = h.protocol;
    p[7] = h.ttl ?? 64;
    v6bytes(h.src ?? 'fd97::5').copy(p, 8);
    v6bytes(h.dst ?? 'fd97::1').copy(p, 24);
  }
}

export function segment(s: SegmentSpec): Buffer {
  const v6 = s.v6 ?? false;
  const ipLength = v6 ? 40 : 20;
  const options = s.options ?? Buffer.alloc(0);
  const tcpLength = 20 + options.length;
  const p = Buffer.alloc(ipLength + tcpLength + s.payload.length);
  writeIpHeader(p, { ...s, v6, protocol: 6, l4Length: tcpLength + s.payload.length });
  const t = ipLength;
  p.writeUInt16BE(s.sport ?? 80, t);
  p.writeUInt16BE(s.dport ?? 40000, t + 2);
  p.writeUInt32BE(s.seq >>> 0, t + 4);
  p.writeUInt32BE((s.ack ?? 1000) >>> 0, t + 8);
  p[t + 12] = (tcpLength / 4) << 4;
  p[t + 13] = s.flags ?? TCP.ACK;
  p.writeUInt16BE(s.window ?? 500, t + 14);
  options.copy(p, t + 20);
  s.payload.copy(p, t + tcpLength);
  const sum = onesSum(p.subarray(t), pseudoSum(p, v6, p.length - t));
  p.writeUInt16BE(~sum & 0xffff, t + 16);
  return p;
}

/** `count` in-order segments of `size` bytes each (the last `lastSize`), payload bytes from `data`. */
export function stream(
  base: Omit<SegmentSpec, 'seq' | 'payload'> & { seq?: number },
  data: Buffer,
  size: number,
): Buffer[] {
  const out: Buffer[] = [];
  const seq0 = base.seq ?? 1;
  for (let off = 0; off < data.length; off += size) {
    out.push(
      segment({ ...base, seq: (seq0 + off) >>> 0, payload: data.subarray(off, Math.min(off + size, data.length)) }),
    );
  }
  return out;
}

/** Whether the IPv4 header checksum (if any) and the TCP checksum of `p` verify. */
export function checksumsOk(p: Buffer): boolean {
  const v6 = (p[0] ?? 0) >> 4 === 6;
  const ipLength = v6 ? 40 : ((p[0] ?? 0) & 0x0f) * 4;
  if (!v6 && onesSum(p.subarray(0, ipLength)) !== 0xffff) return false;
  return onesSum(p.subarray(ipLength), pseudoSum(p, v6, p.length - ipLength)) === 0xffff;
}

/** What the kernel does for VIRTIO_NET_HDR_F_NEEDS_CSUM: sum from csumStart, store at csumStart + csumOffset. */
export function completeChecksum(p: Buffer, csumStart: number, csumOffset: number): Buffer {
  const out = Buffer.from(p);
  const sum = ~onesSum(out.subarray(csumStart)) & 0xffff;
  out.writeUInt16BE(sum, csumStart + csumOffset);
  return out;
}

export function tcpPayload(p: Buffer): Buffer {
  const v6 = (p[0] ?? 0) >> 4 === 6;
  const ipLength = v6 ? 40 : ((p[0] ?? 0) & 0x0f) * 4;
  return p.subarray(ipLength + ((p[ipLength + 12] ?? 0) >> 4) * 4);
}
