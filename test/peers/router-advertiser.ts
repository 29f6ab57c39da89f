// The peer's Router Advertisement (RFC 4861 §4.2, RFC 8106 RDNSS), built field by field from the RFC
// layout, independently of the engine's parser. Sent over the PPP link once IPv6CP is open.
import { isIPv6 } from 'node:net';

export interface RaSpec {
  /** Link-local source (the peer's fe80:: address). */
  readonly source?: string;
  readonly routerLifetime?: number;
  readonly prefixes?: readonly {
    readonly prefix: string; // e.g. "2001:db8:1:2::"
    readonly length?: number; // 64
    readonly autonomous?: boolean; // true
    readonly onLink?: boolean; // true
    readonly valid?: number; // 3600
    readonly preferred?: number; // 1800
  }[];
  readonly rdnss?: { readonly servers: readonly string[]; readonly lifetime?: number };
  readonly mtu?: number;
  readonly hopLimit?: number; // 255
}

/** The 16 bytes of an IPv6 address (node:net validates; we expand "::" ourselves). */
export function v6Bytes(text: string): Buffer {
  if (!isIPv6(text)) throw new Error(`not IPv6: ${text}`);
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

function onesComplement(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export function buildRouterAdvertisement(spec: RaSpec): Buffer {
  const options: Buffer[] = [];
  for (const p of spec.prefixes ?? []) {
    const o = Buffer.alloc(32);
    o[0] = 3;
    o[1] = 4;
    o[2] = p.length ?? 64;
    o[3] = (p.onLink === false ? 0 : 0x80) | (p.autonomous === false ? 0 : 0x40);
    o.writeUInt32BE(p.valid ?? 3600, 4);
    o.writeUInt32BE(p.preferred ?? 1800, 8);
    v6Bytes(p.prefix).copy(o, 16);
    options.push(o);
  }
  if (spec.rdnss) {
    const o = Buffer.alloc(8 + 16 * spec.rdnss.servers.length);
    o[0] = 25;
    o[1] = 1 + 2 * spec.rdnss.servers.length;
    o.writeUInt32BE(spec.rdnss.lifetime ?? 600, 4);
    spec.rdnss.servers.forEach((s, i) => v6Bytes(s).copy(o, 8 + 16 * i));
    options.push(o);
  }
  if (spec.mtu !== undefined) {
    const o = Buffer.alloc(8);
    o[0] = 5;
    o[1] = 1;
    o.writeUInt32BE(spec.mtu, 4);
    options.push(o);
  }
  const icmp = Buffer.concat([Buffer.alloc(16), ...options]);
  icmp[0] = 134;
  icmp[4] = 64; // cur hop limit
  icmp.writeUInt16BE(spec.routerLifetime ?? 1800, 6);
  const src = v6Bytes(spec.source ?? 'fe80::1');
  const dst = v6Bytes('ff02::1');
  const pseudo = Buffer.concat([
    src,
    dst,
    Buffer.from([0, 0, icmp.length >> 8, icmp.length & 0xff, 0, 0, 0, 58]),
    icmp,
  ]);
  icmp.writeUInt16BE(onesComplement(pseudo), 2);
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  ip.writeUInt16BE(icmp.length, 4);
  ip[6] = 58;
  ip[7] = spec.hopLimit ?? 255;
  src.copy(ip, 8);
  dst.copy(ip, 24);
  return Buffer.concat([ip, icmp]);
}
