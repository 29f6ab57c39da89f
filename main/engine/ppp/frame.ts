// The PPP frame as SSTP carries it: HDLC-like address and control octets, but no flags, no
// octet stuffing and no FCS (MS-SSTP 2.2.3). We reject PFC and ACFC, so both are always present.
import { ByteReader, bad, ok } from '../bytes.js';
import type { Decoded } from '../bytes.js';

export const PPP_ADDRESS = 0xff;
export const PPP_CONTROL = 0x03;
/** Address, control and protocol: the bytes in front of the information field. */
export const PPP_HEADER_BYTES = 4;

export interface PppFrame {
  readonly protocol: number;
  /** A view into the received buffer, not a copy. */
  readonly info: Buffer;
}

// RFC 1662 §3.1 (flags, escaping and FCS removed by SSTP):
// +----------+----------+----------+----------+------------------
// | Address  | Control  |       Protocol      | Information ...
// | 11111111 | 00000011 |       16 bits       |
// +----------+----------+----------+----------+------------------
export function decodeFrame(buf: Buffer): Decoded<PppFrame> {
  const what = 'PPP frame';
  const r = new ByteReader(buf);
  const address = r.u8();
  const control = r.u8();
  if (address === undefined || control === undefined) return bad(what, 'address', `${buf.length} bytes is too short`);
  if (address !== PPP_ADDRESS) return bad(what, 'address', `0x${address.toString(16)} is not 0xff`);
  if (control !== PPP_CONTROL) return bad(what, 'control', `0x${control.toString(16)} is not 0x03`);
  const protocol = r.u16();
  if (protocol === undefined) return bad(what, 'protocol', 'missing');
  // RFC 1661 §2: protocol numbers are odd, and the high octet is even (its low bit is the PFC marker).
  if ((protocol & 0x0001) === 0 || (protocol & 0x0100) !== 0) {
    return bad(what, 'protocol', `0x${protocol.toString(16).padStart(4, '0')} is not a valid protocol number`);
  }
  return ok({ protocol, info: r.rest() });
}

/** One allocation: header and information field together. */
export function encodeFrame(protocol: number, info: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(PPP_HEADER_BYTES + info.length);
  out[0] = PPP_ADDRESS;
  out[1] = PPP_CONTROL;
  out.writeUInt16BE(protocol, 2);
  out.set(info, PPP_HEADER_BYTES);
  return out;
}
