// CHAP packets (RFC 1994 §4). MS-CHAPv2 (RFC 2759) uses the same layout, and so does the inner
// packet of EAP-MSCHAPv2 (its MS-Length covers the whole inner packet like CHAP's Length).
import { ByteReader, bad, ok } from '../../bytes.js';
import type { Decoded } from '../../bytes.js';
import { decodeHeader, encodePacket } from './packet-header.js';

export const CHAP_CHALLENGE = 1;
export const CHAP_RESPONSE = 2;
export const CHAP_SUCCESS = 3;
export const CHAP_FAILURE = 4;

export type ChapPacket =
  | { readonly code: 'challenge' | 'response'; readonly id: number; readonly value: Buffer; readonly name: Buffer }
  | { readonly code: 'success' | 'failure'; readonly id: number; readonly message: Buffer };

// Challenge / Response (§4.1):
// | Code (1/2) | Identifier | Length (2) | Value-Size | Value ... | Name ... |
// Success / Failure (§4.2):
// | Code (3/4) | Identifier | Length (2) | Message ... |
export function decodeChap(packet: Buffer, what = 'CHAP packet'): Decoded<ChapPacket> {
  const h = decodeHeader(packet, what);
  if (!h.ok) return h;
  const { code, id, body } = h.value;
  switch (code) {
    case CHAP_CHALLENGE:
    case CHAP_RESPONSE: {
      const r = new ByteReader(body);
      const size = r.u8();
      if (size === undefined) return bad(what, 'Value-Size', 'missing');
      if (size === 0) return bad(what, 'Value-Size', 'zero');
      const value = r.bytes(size);
      if (value === undefined) return bad(what, 'Value', `Value-Size ${size} exceeds the ${r.remaining} bytes left`);
      return ok({ code: code === CHAP_CHALLENGE ? 'challenge' : 'response', id, value, name: r.rest() });
    }
    case CHAP_SUCCESS:
      return ok({ code: 'success', id, message: body });
    case CHAP_FAILURE:
      return ok({ code: 'failure', id, message: body });
    default:
      return bad(what, 'code', `unknown code ${code}`);
  }
}

export function encodeChapResponse(id: number, value: Buffer, name: Buffer): Buffer {
  return encodePacket(CHAP_RESPONSE, id, Buffer.of(value.length), value, name);
}
