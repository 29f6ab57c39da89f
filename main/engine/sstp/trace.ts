// Human-readable forms of SSTP control messages and status codes, for debug traces and failure texts.
// Traces carry no secrets: nonces, hashes and MACs are public on the wire, and are shortened anyway.
import type { SstpAttribute } from './attributes.js';
import { ENCAPSULATED_PROTOCOL_PPP, HASH_PROTOCOL_SHA1, HASH_PROTOCOL_SHA256, statusName } from './constants.js';
import type { ControlMessage } from './control-packet.js';

/** e.g. "SSTP CALL_CONNECT_REQUEST proto=PPP" — callers wrap it as `send [...]` / `recv [...]`. */
export function describeControl(msg: ControlMessage): string {
  const parts = ['SSTP', msg.type];
  for (const a of msg.attributes) parts.push(describeAttribute(a));
  return parts.join(' ');
}

export function describeAttribute(a: SstpAttribute): string {
  switch (a.kind) {
    case 'ENCAPSULATED_PROTOCOL_ID':
      return `proto=${a.protocolId === ENCAPSULATED_PROTOCOL_PPP ? 'PPP' : a.protocolId}`;
    case 'STATUS_INFO':
      return `status=${statusLabel(a.status)}` + (a.attribId !== 0 ? ` attrib=${a.attribId}` : '');
    case 'CRYPTO_BINDING_REQ':
      return `hashes=${hashBitmaskLabel(a.hashBitmask)} nonce=${short(a.nonce)}`;
    case 'CRYPTO_BINDING':
      return `hash=${hashBitmaskLabel(a.hashProtocol)} nonce=${short(a.nonce)} cert=${short(a.certHash)} mac=${short(a.compoundMac)}`;
    case 'UNKNOWN':
      return `attr${a.attributeId}(${a.value.length})`;
  }
}

export function hashBitmaskLabel(bits: number): string {
  const names: string[] = [];
  if (bits & HASH_PROTOCOL_SHA1) names.push('SHA1');
  if (bits & HASH_PROTOCOL_SHA256) names.push('SHA256');
  const other = bits & ~(HASH_PROTOCOL_SHA1 | HASH_PROTOCOL_SHA256);
  if (other !== 0 || names.length === 0) names.push(`0x${bits.toString(16).padStart(2, '0')}`);
  return names.join('|');
}

function short(b: Buffer): string {
  return `${b.subarray(0, 4).toString('hex')}…`;
}

export function statusLabel(status: number): string {
  return statusName(status) ?? `status ${status}`;
}

const STATUS_WORDS: Readonly<Record<number, string>> = {
  0: 'no error',
  1: 'an attribute was sent twice',
  2: 'an attribute was not recognised',
  3: 'an attribute had an invalid length',
  4: 'a value is not supported',
  5: 'a message was not acceptable at that point of the call',
  6: 'too many retries',
  7: 'a packet could not be parsed',
  8: 'negotiation took too long',
  9: 'an attribute is not allowed in that message',
  10: 'a required attribute was missing',
  11: 'a status attribute is not allowed in that message',
};

/** e.g. "INVALID_FRAME_RECEIVED (a packet could not be parsed)". */
export function describeStatus(status: number, attribId = 0): string {
  const words = STATUS_WORDS[status];
  const about = attribId !== 0 ? `, about attribute ${attribId}` : '';
  return words === undefined ? `${statusLabel(status)}${about}` : `${statusLabel(status)} (${words}${about})`;
}
