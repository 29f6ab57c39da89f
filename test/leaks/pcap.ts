// Reads the classic pcap files dumpcap writes (-P) and decodes each frame down to what the leak
// suite judges: which interface kind it crossed (a TUN or an Ethernet-like link), the IP family,
// protocol, addresses, ports, TCP flags and the transport payload. Readers never throw on a short or
// odd frame: such a frame is skipped (it cannot be one of our probes).
import { isIPv4 } from 'node:net';

/** ARPHRD_NONE: what a TUN device reports in Linux cooked captures (`-i any`). */
export const ARPHRD_TUN = 65534;
export const ARPHRD_ETHER = 1;

export interface Frame {
  /** The link's hardware type when the capture says (cooked `any` captures); undefined otherwise. */
  readonly arphrd: number | undefined;
  readonly ip: Buffer;
}

export interface IpPacket {
  readonly arphrd: number | undefined;
  readonly family: 4 | 6;
  /** 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 (after IPv6 extension headers we do not send: none parsed). */
  readonly protocol: number;
  readonly src: string;
  readonly dst: string;
  readonly dstPort: number | undefined;
  /** TCP flags byte (SYN = 0x02). */
  readonly tcpFlags: number | undefined;
  /** ICMP/ICMPv6 type. */
  readonly icmpType: number | undefined;
  /** The transport payload (UDP data, ICMP data after the 8-byte header, TCP data). */
  readonly payload: Buffer;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_RAW_ALT = 12;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

/** The frames of a pcap file (either byte order, micro- or nanosecond stamps). */
export function readPcap(file: Buffer): Frame[] {
  if (file.length < 24) return [];
  const magic = file.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && !be) throw new Error(`not a pcap file (magic ${magic.toString(16)}); was dumpcap run with -P?`);
  const u32 = (at: number) => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const linktype = u32(20);
  const frames: Frame[] = [];
  let at = 24;
  while (at + 16 <= file.length) {
    const incl = u32(at + 8);
    const start = at + 16;
    at = start + incl;
    if (at > file.length) break;
    const frame = linkFrame(linktype, file.subarray(start, start + incl));
    if (frame) frames.push(frame);
  }
  return frames;
}

function linkFrame(linktype: number, data: Buffer): Frame | undefined {
  switch (linktype) {
    case LINKTYPE_ETHERNET: {
      if (data.length < 14) return undefined;
      let type = data.readUInt16BE(12);
      let off = 14;
      if (type === 0x8100 && data.length >= 18) {
        type = data.readUInt16BE(16);
        off = 18;
      }
      return isIpEtherType(type) ? { arphrd: undefined, ip: data.subarray(off) } : undefined;
    }
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_ALT:
      return { arphrd: undefined, ip: data };
    case LINKTYPE_LINUX_SLL: {
      // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
      if (data.length < 16) return undefined;
      return isIpEtherType(data.readUInt16BE(14)) ? { arphrd: data.readUInt16BE(2), ip: data.subarray(16) } : undefined;
    }
    case LINKTYPE_LINUX_SLL2: {
      // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
      if (data.length < 20) return undefined;
      return isIpEtherType(data.readUInt16BE(0)) ? { arphrd: data.readUInt16BE(8), ip: data.subarray(20) } : undefined;
    }
    default:
      throw new Error(`pcap link type ${linktype} is not one the leak suite reads`);
  }
}

function isIpEtherType(t: number): boolean {
  return t === 0x0800 || t === 0x86dd;
}

export function decodeIp(frame: Frame): IpPacket | undefined {
  const ip = frame.ip;
  if (ip.length < 1) return undefined;
  const version = ip[0]! >> 4;
  let protocol: number;
  let src: string;
  let dst: string;
  let l4: Buffer;
  if (version === 4) {
    const ihl = (ip[0]! & 0x0f) * 4;
    if (ip.length < 20 || ihl < 20 || ip.length < ihl) return undefined;
    protocol = ip[9]!;
    src = [...ip.subarray(12, 16)].join('.');
    dst = [...ip.subarray(16, 20)].join('.');
    const total = Math.min(ip.readUInt16BE(2) || ip.length, ip.length);
    l4 = ip.subarray(ihl, total);
  } else if (version === 6) {
    if (ip.length < 40) return undefined;
    protocol = ip[6]!;
    src = ipv6Text(ip.subarray(8, 24));
    dst = ipv6Text(ip.subarray(24, 40));
    l4 = ip.subarray(40, Math.min(40 + ip.readUInt16BE(4), ip.length));
  } else return undefined;
  const base = { arphrd: frame.arphrd, family: version as 4 | 6, protocol, src, dst };
  if (protocol === 6) {
    if (l4.length < 20) return undefined;
    const dataOff = (l4[12]! >> 4) * 4;
    return {
      ...base,
      dstPort: l4.readUInt16BE(2),
      tcpFlags: l4[13],
      icmpType: undefined,
      payload: l4.subarray(Math.min(dataOff, l4.length)),
    };
  }
  if (protocol === 17) {
    if (l4.length < 8) return undefined;
    return { ...base, dstPort: l4.readUInt16BE(2), tcpFlags: undefined, icmpType: undefined, payload: l4.subarray(8) };
  }
  if (protocol === 1 || protocol === 58) {
    if (l4.length < 8) return undefined;
    return { ...base, dstPort: undefined, tcpFlags: undefined, icmpType: l4[0], payload: l4.subarray(8) };
  }
  return { ...base, dstPort: undefined, tcpFlags: undefined, icmpType: undefined, payload: l4 };
}

/** Canonical RFC 5952 text, as node:net and `ip` print it, so addresses compare as strings. */
function ipv6Text(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** Every IP packet of a pcap file. */
export function readIpPackets(file: Buffer): IpPacket[] {
  return readPcap(file)
    .map(decodeIp)
    .filter((p): p is IpPacket => p !== undefined);
}

export function familyOf(address: string): 4 | 6 {
  return isIPv4(address) ? 4 : 6;
}
