// The four-byte header shared by PAP, CHAP and EAP packets (and by the MS-CHAPv2 packet EAP type 26
// carries). Bytes past Length are padding and ignored (RFC 1661 §5: "octets outside the range of the
// Length field should be treated as Data Link Layer padding").
import { ByteReader, bad, ok } from '../../bytes.js';
import type { Decoded } from '../../bytes.js';

export interface PacketHeader {
  readonly code: number;
  readonly id: number;
  /** Everything after the header up to Length. A view, no copy. */
  readonly body: Buffer;
}

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Code      |  Identifier   |            Length             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Data ...
export function decodeHeader(packet: Buffer, what: string): Decoded<PacketHeader> {
  const r = new ByteReader(packet);
  const code = r.u8();
  const id = r.u8();
  const length = r.u16();
  if (code === undefined || id === undefined || length === undefined) {
    return bad(what, 'header', `${packet.length} bytes, need 4`);
  }
  if (length < 4) return bad(what, 'length', `${length} is less than the 4-byte header`);
  if (length > packet.length) return bad(what, 'length', `${length} exceeds the ${packet.length} bytes received`);
  return ok({ code, id, body: packet.subarray(4, length) });
}

export function encodePacket(code: number, id: number, ...data: Uint8Array[]): Buffer {
  const size = data.reduce((n, d) => n + d.length, 4);
  const out = Buffer.alloc(size);
  out[0] = code;
  out[1] = id & 0xff;
  out.writeUInt16BE(size, 2);
  let at = 4;
  for (const d of data) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}
