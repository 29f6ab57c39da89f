// EAP packets (RFC 3748 §4).
import { bad, ok } from '../../bytes.js';
import type { Decoded } from '../../bytes.js';
import { decodeHeader, encodePacket } from './packet-header.js';

export const EAP_REQUEST = 1;
export const EAP_RESPONSE = 2;
export const EAP_SUCCESS = 3;
export const EAP_FAILURE = 4;

export const EAP_TYPE_IDENTITY = 1;
export const EAP_TYPE_NOTIFICATION = 2;
export const EAP_TYPE_NAK = 3;
export const EAP_TYPE_MSCHAPV2 = 26;

export type EapPacket =
  | { readonly code: 'request' | 'response'; readonly id: number; readonly type: number; readonly data: Buffer }
  | { readonly code: 'success' | 'failure'; readonly id: number };

const WHAT = 'EAP packet';

// Request / Response (§4.1):
// | Code (1/2) | Identifier | Length (2) | Type | Type-Data ... |
// Success / Failure (§4.2):
// | Code (3/4) | Identifier | Length (2) = 4 |
export function decodeEap(packet: Buffer): Decoded<EapPacket> {
  const h = decodeHeader(packet, WHAT);
  if (!h.ok) return h;
  const { code, id, body } = h.value;
  switch (code) {
    case EAP_REQUEST:
    case EAP_RESPONSE: {
      const type = body[0];
      if (type === undefined) return bad(WHAT, 'Type', 'missing');
      return ok({ code: code === EAP_REQUEST ? 'request' : 'response', id, type, data: body.subarray(1) });
    }
    case EAP_SUCCESS:
      return ok({ code: 'success', id });
    case EAP_FAILURE:
      return ok({ code: 'failure', id });
    default:
      return bad(WHAT, 'code', `unknown code ${code}`);
  }
}

export function encodeEapResponse(id: number, type: number, data: Buffer): Buffer {
  return encodePacket(EAP_RESPONSE, id, Buffer.of(type), data);
}

export function eapTypeName(type: number): string {
  switch (type) {
    case EAP_TYPE_IDENTITY:
      return 'Identity';
    case EAP_TYPE_NOTIFICATION:
      return 'Notification';
    case EAP_TYPE_NAK:
      return 'Nak';
    case 4:
      return 'MD5-Challenge';
    case 13:
      return 'TLS';
    case 21:
      return 'TTLS';
    case 25:
      return 'PEAP';
    case EAP_TYPE_MSCHAPV2:
      return 'MSCHAPv2';
    default:
      return `type ${type}`;
  }
}
