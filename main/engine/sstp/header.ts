// The 4-byte SSTP packet header, and the data-packet fast path built on it.
import { bad, ok, type Decoded } from '../bytes.js';
import { SSTP_HEADER_LENGTH, SSTP_MAX_DATA_FRAME, SSTP_MAX_PACKET_LENGTH, SSTP_VERSION } from './constants.js';

/*
 * SSTP header (MS-SSTP §2.2.1):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Version     |  Reserved   |C|   R   |   Length (12 bits)    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  Version 0x10. C = 1 for a control packet. Length covers the whole packet, header included.
 *  Reserved bits are sent as zero and ignored on receipt.
 */
export interface SstpHeader {
  readonly control: boolean;
  /** Whole packet length, header included (4..4095). */
  readonly length: number;
}

export const SSTP_PACKET_WHAT = 'SSTP packet';
const WHAT = SSTP_PACKET_WHAT;

/** Checks the fixed header fields; shared by the decoder and the deframer so both reject the same bytes. */
export function checkHeaderFields(version: number, length: number): Decoded<true> {
  if (version !== SSTP_VERSION) {
    return bad(WHAT, 'version', `0x${version.toString(16).padStart(2, '0')} is not the supported version 0x10`);
  }
  if (length < SSTP_HEADER_LENGTH) return bad(WHAT, 'length', `${length} is shorter than the 4-byte header`);
  return ok(true);
}

export function decodeHeader(buf: Buffer, offset = 0): Decoded<SstpHeader> {
  if (buf.length - offset < SSTP_HEADER_LENGTH) {
    return bad(WHAT, 'header', `${Math.max(0, buf.length - offset)} bytes, need 4`);
  }
  const version = buf[offset] ?? 0;
  const flags = buf[offset + 1] ?? 0;
  const length = buf.readUInt16BE(offset + 2) & SSTP_MAX_PACKET_LENGTH;
  const checked = checkHeaderFields(version, length);
  if (!checked.ok) return checked;
  return ok({ control: (flags & 0x01) === 0x01, length });
}

/** Writes a header at `offset`. `length` is the whole packet length; the caller guarantees 4..4095. */
export function writeHeader(target: Buffer, offset: number, control: boolean, length: number): void {
  target[offset] = SSTP_VERSION;
  target[offset + 1] = control ? 0x01 : 0x00;
  target.writeUInt16BE(length, offset + 2);
}

/**
 * Writes a data-packet header into the 4 bytes of header room at `headerOffset`, in front of a PPP frame
 * of `frameLength` bytes that the caller has already placed at `headerOffset + 4`. Returns the packet
 * length. This lets the datapath build many packets in one buffer and hand TLS one write.
 * Throws RangeError for a frame SSTP cannot carry: callers bound frames by the negotiated MRU/MTU.
 */
export function writeDataHeader(target: Buffer, headerOffset: number, frameLength: number): number {
  if (!Number.isInteger(frameLength) || frameLength < 0 || frameLength > SSTP_MAX_DATA_FRAME) {
    throw new RangeError(
      `a PPP frame of ${frameLength} bytes does not fit in one SSTP packet (max ${SSTP_MAX_DATA_FRAME})`,
    );
  }
  if (headerOffset < 0 || headerOffset + SSTP_HEADER_LENGTH + frameLength > target.length) {
    throw new RangeError('SSTP data packet would run past the end of the buffer');
  }
  const length = SSTP_HEADER_LENGTH + frameLength;
  writeHeader(target, headerOffset, false, length);
  return length;
}

/*
 * SSTP data packet (MS-SSTP §2.2.3): header with C = 0, then the PPP frame
 *   FF 03 | protocol (2) | information
 * with no HDLC flags, escaping or FCS.
 */
export function encodeDataPacket(pppFrame: Buffer): Buffer {
  const out = Buffer.allocUnsafe(SSTP_HEADER_LENGTH + pppFrame.length);
  writeDataHeader(out, 0, pppFrame.length);
  pppFrame.copy(out, SSTP_HEADER_LENGTH);
  return out;
}
