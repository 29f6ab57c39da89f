// SSTP control-message attributes (MS-SSTP §2.2.4–2.2.8): typed values, one decoder, one encoder.
// Unknown attribute ids are kept raw so a message re-encodes byte for byte.
import { bad, ok, type Decoded } from '../bytes.js';
import {
  ATTRIBUTE_IDS,
  BINDING_FIELD_LENGTH,
  CRYPTO_BINDING_LENGTH,
  CRYPTO_BINDING_REQ_LENGTH,
  ENCAPSULATED_PROTOCOL_ID_LENGTH,
  NONCE_LENGTH,
  SSTP_ATTRIBUTE_HEADER_LENGTH,
  STATUS_INFO_MAX_LENGTH,
  STATUS_INFO_MAX_VALUE,
  STATUS_INFO_MIN_LENGTH,
} from './constants.js';

/*
 * Every attribute (MS-SSTP §2.2.4):
 *  +---------------+---------------+-------+-----------------------+
 *  |   Reserved    | Attribute ID  |   R   |  Length (12 bits)     |
 *  +---------------+---------------+-------+-----------------------+
 *  |  Value (Length - 4 bytes) ...
 *  Length includes this 4-byte attribute header.
 */

/*
 * ENCAPSULATED_PROTOCOL_ID (id 1, length 6, §2.2.5):
 *  | header (4) | Protocol ID (2): 1 = PPP |
 */
export interface EncapsulatedProtocolAttribute {
  readonly kind: 'ENCAPSULATED_PROTOCOL_ID';
  readonly protocolId: number;
}

/*
 * STATUS_INFO (id 2, length 12..76, §2.2.8):
 *  | header (4) | Reserved (3) | AttribID (1) | Status (4) | AttribValue (0..64) |
 *  AttribID names the attribute the status is about (0 when none); AttribValue echoes it.
 */
export interface StatusInfoAttribute {
  readonly kind: 'STATUS_INFO';
  readonly attribId: number;
  readonly status: number;
  readonly value: Buffer;
}

/*
 * CRYPTO_BINDING (id 3, length 104, §2.2.7):
 *  | header (4) | Reserved (3) | Hash Protocol (1) | Nonce (32) | Cert Hash (32) | Compound MAC (32) |
 *  SHA-1 cert hash and MAC (20 bytes) are zero-padded to 32.
 */
export interface CryptoBindingAttribute {
  readonly kind: 'CRYPTO_BINDING';
  readonly hashProtocol: number;
  readonly nonce: Buffer;
  readonly certHash: Buffer;
  readonly compoundMac: Buffer;
}

/*
 * CRYPTO_BINDING_REQ (id 4, length 40, §2.2.6):
 *  | header (4) | Reserved (3) | Hash Protocol Bitmask (1) | Nonce (32) |
 *  Bitmask: 0x01 SHA-1, 0x02 SHA-256.
 */
export interface CryptoBindingRequestAttribute {
  readonly kind: 'CRYPTO_BINDING_REQ';
  readonly hashBitmask: number;
  readonly nonce: Buffer;
}

/** Any other attribute id: kept as received. */
export interface UnknownAttribute {
  readonly kind: 'UNKNOWN';
  readonly attributeId: number;
  readonly value: Buffer;
}

export type SstpAttribute =
  | EncapsulatedProtocolAttribute
  | StatusInfoAttribute
  | CryptoBindingAttribute
  | CryptoBindingRequestAttribute
  | UnknownAttribute;

export type AttributeKind = SstpAttribute['kind'];

const WHAT = 'SSTP control packet';

/**
 * Decodes one attribute occupying exactly `body` (its value, after the 4-byte header).
 * `field` names it for errors, e.g. "attribute[1]".
 */
export function decodeAttributeValue(id: number, body: Buffer, field: string): Decoded<SstpAttribute> {
  const total = body.length + SSTP_ATTRIBUTE_HEADER_LENGTH;
  const wrongLength = (name: string, expected: string): Decoded<SstpAttribute> =>
    bad(WHAT, `${field}.length`, `${name} is ${total} bytes, must be ${expected}`);
  switch (id) {
    case ATTRIBUTE_IDS.ENCAPSULATED_PROTOCOL_ID:
      if (total !== ENCAPSULATED_PROTOCOL_ID_LENGTH) return wrongLength('ENCAPSULATED_PROTOCOL_ID', '6');
      return ok({ kind: 'ENCAPSULATED_PROTOCOL_ID', protocolId: body.readUInt16BE(0) });
    case ATTRIBUTE_IDS.STATUS_INFO:
      if (total < STATUS_INFO_MIN_LENGTH || total > STATUS_INFO_MAX_LENGTH) {
        return wrongLength('STATUS_INFO', `${STATUS_INFO_MIN_LENGTH}..${STATUS_INFO_MAX_LENGTH}`);
      }
      return ok({
        kind: 'STATUS_INFO',
        attribId: body[3] ?? 0,
        status: body.readUInt32BE(4),
        value: body.subarray(8),
      });
    case ATTRIBUTE_IDS.CRYPTO_BINDING:
      if (total !== CRYPTO_BINDING_LENGTH) return wrongLength('CRYPTO_BINDING', `${CRYPTO_BINDING_LENGTH}`);
      return ok({
        kind: 'CRYPTO_BINDING',
        hashProtocol: body[3] ?? 0,
        nonce: body.subarray(4, 36),
        certHash: body.subarray(36, 68),
        compoundMac: body.subarray(68, 100),
      });
    case ATTRIBUTE_IDS.CRYPTO_BINDING_REQ:
      if (total !== CRYPTO_BINDING_REQ_LENGTH) return wrongLength('CRYPTO_BINDING_REQ', `${CRYPTO_BINDING_REQ_LENGTH}`);
      return ok({ kind: 'CRYPTO_BINDING_REQ', hashBitmask: body[3] ?? 0, nonce: body.subarray(4, 36) });
    default:
      return ok({ kind: 'UNKNOWN', attributeId: id, value: body });
  }
}

/** Encoded size of an attribute, header included. Throws RangeError for values we must never send. */
export function attributeLength(a: SstpAttribute): number {
  switch (a.kind) {
    case 'ENCAPSULATED_PROTOCOL_ID':
      return ENCAPSULATED_PROTOCOL_ID_LENGTH;
    case 'STATUS_INFO':
      if (a.value.length > STATUS_INFO_MAX_VALUE) {
        throw new RangeError(`STATUS_INFO value is ${a.value.length} bytes, max ${STATUS_INFO_MAX_VALUE}`);
      }
      return STATUS_INFO_MIN_LENGTH + a.value.length;
    case 'CRYPTO_BINDING':
      requireLength('CRYPTO_BINDING nonce', a.nonce, NONCE_LENGTH);
      requireLength('CRYPTO_BINDING cert hash', a.certHash, BINDING_FIELD_LENGTH);
      requireLength('CRYPTO_BINDING compound MAC', a.compoundMac, BINDING_FIELD_LENGTH);
      return CRYPTO_BINDING_LENGTH;
    case 'CRYPTO_BINDING_REQ':
      requireLength('CRYPTO_BINDING_REQ nonce', a.nonce, NONCE_LENGTH);
      return CRYPTO_BINDING_REQ_LENGTH;
    case 'UNKNOWN':
      return SSTP_ATTRIBUTE_HEADER_LENGTH + a.value.length;
  }
}

function requireLength(name: string, b: Buffer, n: number): void {
  if (b.length !== n) throw new RangeError(`${name} is ${b.length} bytes, must be ${n}`);
}

/** Writes `a` at `offset` (its size from attributeLength); returns the offset after it. */
export function writeAttribute(target: Buffer, offset: number, a: SstpAttribute): number {
  const length = attributeLength(a);
  target[offset] = 0;
  target[offset + 1] = a.kind === 'UNKNOWN' ? a.attributeId : ATTRIBUTE_IDS[a.kind];
  target.writeUInt16BE(length, offset + 2);
  const v = offset + SSTP_ATTRIBUTE_HEADER_LENGTH;
  switch (a.kind) {
    case 'ENCAPSULATED_PROTOCOL_ID':
      target.writeUInt16BE(a.protocolId, v);
      break;
    case 'STATUS_INFO':
      target.fill(0, v, v + 3);
      target[v + 3] = a.attribId;
      target.writeUInt32BE(a.status >>> 0, v + 4);
      a.value.copy(target, v + 8);
      break;
    case 'CRYPTO_BINDING':
      target.fill(0, v, v + 3);
      target[v + 3] = a.hashProtocol;
      a.nonce.copy(target, v + 4);
      a.certHash.copy(target, v + 36);
      a.compoundMac.copy(target, v + 68);
      break;
    case 'CRYPTO_BINDING_REQ':
      target.fill(0, v, v + 3);
      target[v + 3] = a.hashBitmask;
      a.nonce.copy(target, v + 4);
      break;
    case 'UNKNOWN':
      a.value.copy(target, v);
      break;
  }
  return offset + length;
}
