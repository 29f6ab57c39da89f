// RADIUS packets as the strict peer's NAS side needs them: RFC 2865 (packet, attributes, Response
// Authenticator), RFC 3579 (EAP-Message split over attributes, Message-Authenticator HMAC-MD5).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const RADIUS = {
  ACCESS_REQUEST: 1,
  ACCESS_ACCEPT: 2,
  ACCESS_REJECT: 3,
  ACCESS_CHALLENGE: 11,
} as const;

export const ATTR = {
  USER_NAME: 1,
  NAS_IP_ADDRESS: 4,
  NAS_PORT: 5,
  SERVICE_TYPE: 6,
  FRAMED_PROTOCOL: 7,
  REPLY_MESSAGE: 18,
  STATE: 24,
  VENDOR_SPECIFIC: 26,
  CALLED_STATION_ID: 30,
  CALLING_STATION_ID: 31,
  NAS_IDENTIFIER: 32,
  NAS_PORT_TYPE: 61,
  EAP_MESSAGE: 79,
  MESSAGE_AUTHENTICATOR: 80,
} as const;

export interface RadiusAttribute {
  readonly type: number;
  readonly value: Buffer;
}

export interface RadiusPacket {
  readonly code: number;
  readonly id: number;
  readonly authenticator: Buffer;
  readonly attributes: readonly RadiusAttribute[];
}

export type RadiusDecoded =
  { readonly ok: true; readonly packet: RadiusPacket } | { readonly ok: false; readonly why: string };

const HEADER = 20;
const MAX_PACKET = 4096; // RFC 2865 §3
const MAX_VALUE = 253;

/*
 * | Code | Identifier | Length (2) | Authenticator (16) | Attributes: Type · Length · Value ... |
 * Length counts the whole packet; each attribute's Length counts its Type and Length octets too.
 */
export function decodeRadius(b: Buffer): RadiusDecoded {
  if (b.length < HEADER) return { ok: false, why: `${b.length} bytes, a RADIUS packet has at least ${HEADER}` };
  const length = b.readUInt16BE(2);
  if (length < HEADER || length > MAX_PACKET || length > b.length)
    return { ok: false, why: `Length ${length} with ${b.length} bytes received` };
  const attributes: RadiusAttribute[] = [];
  let at = HEADER;
  while (at < length) {
    const type = b[at];
    const len = b[at + 1];
    if (type === undefined || len === undefined || len < 2 || at + len > length)
      return { ok: false, why: `attribute at offset ${at} overruns the packet` };
    attributes.push({ type, value: Buffer.from(b.subarray(at + 2, at + len)) });
    at += len;
  }
  return {
    ok: true,
    packet: { code: b[0] ?? 0, id: b[1] ?? 0, authenticator: Buffer.from(b.subarray(4, 20)), attributes },
  };
}

export function encodeRadius(p: RadiusPacket): Buffer {
  const parts: Buffer[] = [];
  for (const a of p.attributes) {
    if (a.value.length > MAX_VALUE)
      throw new RangeError(`RADIUS attribute ${a.type}: ${a.value.length} bytes, at most ${MAX_VALUE}`);
    parts.push(Buffer.of(a.type, a.value.length + 2), a.value);
  }
  const attrs = Buffer.concat(parts);
  const head = Buffer.alloc(HEADER);
  head[0] = p.code;
  head[1] = p.id;
  head.writeUInt16BE(HEADER + attrs.length, 2);
  if (HEADER + attrs.length > MAX_PACKET)
    throw new RangeError(`RADIUS packet of ${HEADER + attrs.length} bytes, at most ${MAX_PACKET}`);
  p.authenticator.copy(head, 4);
  return Buffer.concat([head, attrs]);
}

/** RFC 3579 §3.1: an EAP packet goes into as many consecutive EAP-Message attributes as it needs. */
export function eapMessageAttributes(eap: Buffer): RadiusAttribute[] {
  const out: RadiusAttribute[] = [];
  for (let at = 0; at < eap.length; at += MAX_VALUE)
    out.push({ type: ATTR.EAP_MESSAGE, value: eap.subarray(at, at + MAX_VALUE) });
  return out;
}

/** The EAP packet carried by a RADIUS packet (its EAP-Message attributes concatenated), if any. */
export function eapMessage(p: RadiusPacket): Buffer | undefined {
  const parts = p.attributes.filter((a) => a.type === ATTR.EAP_MESSAGE).map((a) => a.value);
  return parts.length === 0 ? undefined : Buffer.concat(parts);
}

export function attribute(p: RadiusPacket, type: number): Buffer | undefined {
  return p.attributes.find((a) => a.type === type)?.value;
}

/**
 * An Access-Request with a Message-Authenticator (RFC 3579 §3.2: required with EAP-Message):
 * HMAC-MD5 keyed with the shared secret over the whole packet, the attribute's value zeroed.
 */
export function signedAccessRequest(
  id: number,
  requestAuthenticator: Buffer,
  attributes: readonly RadiusAttribute[],
  secret: string,
): Buffer {
  const withSlot = [...attributes, { type: ATTR.MESSAGE_AUTHENTICATOR, value: Buffer.alloc(16) }];
  const packet = encodeRadius({
    code: RADIUS.ACCESS_REQUEST,
    id,
    authenticator: requestAuthenticator,
    attributes: withSlot,
  });
  const mac = createHmac('md5', secret).update(packet).digest();
  mac.copy(packet, packet.length - 16);
  return packet;
}

export type ReplyVerdict = { readonly ok: true } | { readonly ok: false; readonly why: string };

/**
 * Checks a reply to our request: RFC 2865 §3 Response Authenticator = MD5(Code ‖ Identifier ‖ Length ‖
 * Request Authenticator ‖ Attributes ‖ Secret), and the RFC 3579 §3.2 Message-Authenticator, computed
 * with the Request Authenticator in the header and the attribute zeroed (required with EAP-Message).
 */
export function verifyReply(raw: Buffer, requestAuthenticator: Buffer, secret: string): ReplyVerdict {
  const d = decodeRadius(raw);
  if (!d.ok) return d;
  const length = raw.readUInt16BE(2);
  const packet = Buffer.from(raw.subarray(0, length));
  const copy = Buffer.from(packet);
  requestAuthenticator.copy(copy, 4);
  const want = createHash('md5').update(copy).update(secret, 'utf8').digest();
  if (!timingSafeEqual(want, packet.subarray(4, 20)))
    return { ok: false, why: 'Response Authenticator does not match (wrong shared secret?)' };
  const at = messageAuthenticatorOffset(copy);
  if (at === undefined) {
    // RFC 3579 §3.2: a reply carrying EAP-Message without one is discarded; other replies (a reject
    // decided before EAP ran) need none.
    return d.packet.attributes.some((a) => a.type === ATTR.EAP_MESSAGE)
      ? { ok: false, why: 'EAP-Message without Message-Authenticator (RFC 3579 §3.2)' }
      : { ok: true };
  }
  const got = Buffer.from(copy.subarray(at, at + 16));
  copy.fill(0, at, at + 16);
  const mac = createHmac('md5', secret).update(copy).digest();
  if (!timingSafeEqual(mac, got)) return { ok: false, why: 'Message-Authenticator does not match' };
  return { ok: true };
}

function messageAuthenticatorOffset(packet: Buffer): number | undefined {
  let at = HEADER;
  while (at + 2 <= packet.length) {
    const len = packet[at + 1] ?? 0;
    if (packet[at] === ATTR.MESSAGE_AUTHENTICATOR && len === 18) return at + 2;
    if (len < 2) return undefined;
    at += len;
  }
  return undefined;
}

export function radiusCodeName(code: number): string {
  switch (code) {
    case RADIUS.ACCESS_REQUEST:
      return 'Access-Request';
    case RADIUS.ACCESS_ACCEPT:
      return 'Access-Accept';
    case RADIUS.ACCESS_REJECT:
      return 'Access-Reject';
    case RADIUS.ACCESS_CHALLENGE:
      return 'Access-Challenge';
    default:
      return `code ${code}`;
  }
}
