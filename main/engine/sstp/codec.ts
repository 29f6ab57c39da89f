// The SSTP codec: one import for the session and the datapath. Pure functions, no I/O; decoders
// return Decoded<T> and never throw on bad bytes.
import { bad, ok, type Decoded } from '../bytes.js';
import { decodeControlPacket, type ControlMessage } from './control-packet.js';
import { decodeHeader, SSTP_PACKET_WHAT } from './header.js';
import { SSTP_HEADER_LENGTH } from './constants.js';

export * from './constants.js';
export * from './header.js';
export * from './attributes.js';
export * from './control-packet.js';

/** A decoded packet: a data packet's PPP frame (FF 03 proto info), or a control message. */
export type SstpPacket =
  { readonly kind: 'data'; readonly frame: Buffer } | { readonly kind: 'control'; readonly message: ControlMessage };

/** Decodes exactly one packet. The data frame is a view into `packet`. */
export function decodePacket(packet: Buffer): Decoded<SstpPacket> {
  const header = decodeHeader(packet);
  if (!header.ok) return header;
  if (header.value.length !== packet.length) {
    return bad(SSTP_PACKET_WHAT, 'length', `header says ${header.value.length} bytes, packet is ${packet.length}`);
  }
  if (!header.value.control) return ok({ kind: 'data', frame: packet.subarray(SSTP_HEADER_LENGTH) });
  const message = decodeControlPacket(packet);
  if (!message.ok) return message;
  return ok({ kind: 'control', message: message.value });
}
