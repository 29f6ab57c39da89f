// What travels inside the PEAPv0 tunnel ([MS-PEAP] §2.2, draft-kamath-pppext-peapv0): inner EAP
// packets with their 4-byte header left out ("compressed"), except EAP-TLV Extensions (type 33),
// which keep it; and the TLVs those carry (Result, Crypto-Binding).
import { bad, ok } from '../../bytes.js';
import type { Decoded } from '../../bytes.js';
import { EAP_REQUEST, EAP_RESPONSE } from './eap-packet.js';
import { encodePacket } from './packet-header.js';

export const EAP_TYPE_EXTENSIONS = 33;
export const TLV_RESULT = 3;
export const TLV_CRYPTO_BINDING = 12;
export const RESULT_SUCCESS = 1;
export const RESULT_FAILURE = 2;
const MANDATORY = 0x8000;
const TYPE_MASK = 0x3fff;

/** An inner Request as the tunnel carried it, header restored. */
export interface InnerRequest {
  readonly id: number;
  readonly type: number;
  readonly data: Buffer;
  /** True for Extensions, which alone carry their own header (and Identifier). */
  readonly full: boolean;
}

const WHAT = 'PEAP inner packet';

/**
 * A decrypted tunnel message. An Extensions packet is recognised by a whole EAP header around type
 * 33 (Code Request, Length = the message); anything else is Type ‖ Type-Data whose Identifier is the
 * outer one (what wpa_supplicant and Windows assume too).
 */
export function decodeInner(message: Buffer, outerId: number): Decoded<InnerRequest> {
  if (
    message.length >= 5 &&
    message[0] === EAP_REQUEST &&
    message.readUInt16BE(2) === message.length &&
    message[4] === EAP_TYPE_EXTENSIONS
  ) {
    return ok({ id: message[1] ?? 0, type: EAP_TYPE_EXTENSIONS, data: message.subarray(5), full: true });
  }
  const type = message[0];
  if (type === undefined) return bad(WHAT, 'Type', 'empty tunnel message');
  return ok({ id: outerId, type, data: message.subarray(1), full: false });
}

/** Our inner Response the way PEAPv0 sends it: header only for Extensions. */
export function encodeInner(id: number, type: number, data: Buffer): Buffer {
  if (type === EAP_TYPE_EXTENSIONS) return encodePacket(EAP_RESPONSE, id, Buffer.of(type), data);
  return Buffer.concat([Buffer.of(type), data]);
}

export interface Tlv {
  readonly type: number;
  readonly mandatory: boolean;
  readonly value: Buffer;
}

// | M | R | TLV Type (14 bits) | Length (2) | Value ... |
export function decodeTlvs(data: Buffer): Decoded<readonly Tlv[]> {
  const out: Tlv[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 4 > data.length) return bad('PEAP TLV', 'header', `${data.length - at} stray bytes`);
    const head = data.readUInt16BE(at);
    const length = data.readUInt16BE(at + 2);
    if (at + 4 + length > data.length) return bad('PEAP TLV', 'Length', `${length} overruns the packet`);
    out.push({
      type: head & TYPE_MASK,
      mandatory: (head & MANDATORY) !== 0,
      value: data.subarray(at + 4, at + 4 + length),
    });
    at += 4 + length;
  }
  return ok(out);
}

export function encodeTlv(type: number, mandatory: boolean, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE((mandatory ? MANDATORY : 0) | (type & TYPE_MASK));
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value]);
}

/** Result TLV ([MS-PEAP] §2.2.8.1): mandatory, Status 1 success / 2 failure. */
export function resultTlv(status: typeof RESULT_SUCCESS | typeof RESULT_FAILURE): Buffer {
  const v = Buffer.alloc(2);
  v.writeUInt16BE(status);
  return encodeTlv(TLV_RESULT, true, v);
}
