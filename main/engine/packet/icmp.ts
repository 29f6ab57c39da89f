// Userspace ICMP echo over the tunnel's IP packet interface: `causeway test` proves the data path
// end to end without a TUN device or root.
import { ByteReader, bad, ok, type Decoded } from '../bytes.js';
import { internetChecksum } from './checksum.js';

export function parseIpv4(text: string): Buffer | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (bytes.some((b) => !(b >= 0 && b <= 255))) return undefined;
  return Buffer.from(bytes);
}

export function formatIpv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/*
 * IPv4 header (RFC 791), 20 bytes without options:
 *  0 ver/ihl | 1 tos | 2-3 total length | 4-5 id | 6-7 flags/frag | 8 ttl | 9 proto | 10-11 checksum
 *  12-15 source | 16-19 destination
 * ICMP echo (RFC 792): type 8 (request) / 0 (reply) | code 0 | checksum | identifier | sequence | data
 */
export function buildEchoRequest(src: Buffer, dst: Buffer, id: number, seq: number, payload: Buffer): Buffer {
  const total = 20 + 8 + payload.length;
  const p = Buffer.alloc(total);
  p[0] = 0x45;
  p.writeUInt16BE(total, 2);
  p.writeUInt16BE(id, 4);
  p.writeUInt16BE(0x4000, 6); // don't fragment
  p[8] = 64;
  p[9] = 1; // ICMP
  src.copy(p, 12);
  dst.copy(p, 16);
  p.writeUInt16BE(internetChecksum(p, 0, 20), 10);
  p[20] = 8;
  p.writeUInt16BE(id, 24);
  p.writeUInt16BE(seq, 26);
  payload.copy(p, 28);
  p.writeUInt16BE(internetChecksum(p, 20, total), 22);
  return p;
}

export interface EchoReply {
  readonly source: string;
  readonly destination: string;
  readonly identifier: number;
  readonly sequence: number;
  readonly payload: Buffer;
}

/** Decodes an IPv4 packet as an ICMP echo reply with valid checksums; anything else is an error value. */
export function parseEchoReply(packet: Buffer): Decoded<EchoReply> {
  const what = 'ICMP echo reply';
  const r = new ByteReader(packet);
  const verIhl = r.u8();
  if (verIhl === undefined || verIhl >> 4 !== 4) return bad(what, 'version', 'not IPv4');
  const ihl = (verIhl & 0x0f) * 4;
  if (ihl < 20 || packet.length < ihl + 8)
    return bad(what, 'ihl', `header length ${ihl} does not fit ${packet.length} bytes`);
  const total = packet.readUInt16BE(2);
  if (total > packet.length || total < ihl + 8)
    return bad(what, 'total length', `${total} vs ${packet.length} bytes received`);
  if (packet[9] !== 1) return bad(what, 'protocol', `${packet[9]} is not ICMP`);
  if (internetChecksum(packet, 0, ihl) !== 0) return bad(what, 'header checksum', 'wrong');
  if (packet[ihl] !== 0 || packet[ihl + 1] !== 0)
    return bad(what, 'type', `type ${packet[ihl]} code ${packet[ihl + 1]} is not an echo reply`);
  if (internetChecksum(packet, ihl, total) !== 0) return bad(what, 'icmp checksum', 'wrong');
  return ok({
    source: formatIpv4(packet.subarray(12, 16)),
    destination: formatIpv4(packet.subarray(16, 20)),
    identifier: packet.readUInt16BE(ihl + 4),
    sequence: packet.readUInt16BE(ihl + 6),
    payload: packet.subarray(ihl + 8, total),
  });
}
