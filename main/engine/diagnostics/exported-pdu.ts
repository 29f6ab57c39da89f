// The exported-PDU header Wireshark puts in front of each LINKTYPE_WIRESHARK_UPPER_PDU packet
// (epan/exported_pdu.h): tag(2) length(2) value TLVs, big-endian, ending with tag 0. The PROTO_NAME
// tag names the registered dissector ("sstp"), so the file opens dissected without any decode-as;
// the address and port tags give each packet its direction in Wireshark's columns.
import { parseIp } from '../addresses.js';

const TAG_END = 0;
const TAG_PROTO_NAME = 12;
const TAG_IPV4_SRC = 20;
const TAG_IPV4_DST = 21;
const TAG_IPV6_SRC = 22;
const TAG_IPV6_DST = 23;
const TAG_PORT_TYPE = 24;
const TAG_SRC_PORT = 25;
const TAG_DST_PORT = 26;
/** Wireshark's port_type value for TCP. */
const PORT_TYPE_TCP = 2;

export interface PduEndpoint {
  readonly address: string;
  readonly port: number;
}

function tlv(tag: number, value: Buffer): Buffer {
  // Values are padded to four bytes; the length says how many of them count.
  const out = Buffer.alloc(4 + ((value.length + 3) & ~3));
  out.writeUInt16BE(tag, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function addressTlv(address: string, v4Tag: number, v6Tag: number): Buffer | undefined {
  // A socket may report an IPv4 peer as ::ffff:a.b.c.d.
  const ip = parseIp(address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ''));
  if (!ip) return undefined;
  const size = ip.family === 4 ? 4 : 16;
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[size - 1 - i] = Number((ip.value >> BigInt(8 * i)) & 0xffn);
  return tlv(ip.family === 4 ? v4Tag : v6Tag, bytes);
}

/** The tags for one PDU of `protocol` sent from `src` to `dst` (mixed families: no addresses). */
export function exportedPduHeader(
  protocol: string,
  src: PduEndpoint | undefined,
  dst: PduEndpoint | undefined,
): Buffer {
  const parts: Buffer[] = [tlv(TAG_PROTO_NAME, Buffer.from(protocol, 'ascii'))];
  if (src && dst) {
    const s = addressTlv(src.address, TAG_IPV4_SRC, TAG_IPV6_SRC);
    const d = addressTlv(dst.address, TAG_IPV4_DST, TAG_IPV6_DST);
    if (s && d && s.readUInt16BE(0) + 1 === d.readUInt16BE(0)) parts.push(s, d); // same family
    parts.push(
      tlv(TAG_PORT_TYPE, u32(PORT_TYPE_TCP)),
      tlv(TAG_SRC_PORT, u32(src.port)),
      tlv(TAG_DST_PORT, u32(dst.port)),
    );
  }
  parts.push(tlv(TAG_END, Buffer.alloc(0)));
  return Buffer.concat(parts);
}
