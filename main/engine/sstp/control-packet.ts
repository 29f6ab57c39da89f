// SSTP control packets (MS-SSTP §2.2.2, §2.2.9–2.2.17): decode, encode, and constructors for the
// messages a client sends.
import { bad, ok, type Decoded } from '../bytes.js';
import {
  attributeLength,
  decodeAttributeValue,
  writeAttribute,
  type AttributeKind,
  type CryptoBindingAttribute,
  type SstpAttribute,
  type StatusInfoAttribute,
} from './attributes.js';
import {
  ENCAPSULATED_PROTOCOL_PPP,
  MESSAGE_TYPES,
  SSTP_ATTRIBUTE_HEADER_LENGTH,
  SSTP_CONTROL_HEADER_LENGTH,
  SSTP_MAX_PACKET_LENGTH,
  STATUS,
  STATUS_INFO_MAX_VALUE,
  messageTypeFromNumber,
  type MessageType,
  type StatusName,
} from './constants.js';
import { decodeHeader, writeHeader } from './header.js';

/*
 * SSTP control packet (MS-SSTP §2.2.2):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Version 0x10 |  Reserved   |1|   R   |  Length (12 bits)     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Message Type           |      Attribute Count          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Attributes (Attribute Count of them, each reserved/id/length/value) ...
 *
 * Message types: 1 CALL_CONNECT_REQUEST, 2 CALL_CONNECT_ACK, 3 CALL_CONNECT_NAK, 4 CALL_CONNECTED,
 * 5 CALL_ABORT, 6 CALL_DISCONNECT, 7 CALL_DISCONNECT_ACK, 8 ECHO_REQUEST, 9 ECHO_RESPONSE.
 */
export interface ControlMessage {
  readonly type: MessageType;
  readonly attributes: readonly SstpAttribute[];
}

const WHAT = 'SSTP control packet';

/**
 * Decodes one whole control packet (header included); `packet` must be exactly one packet long.
 * Value buffers in the result are views into `packet`.
 */
export function decodeControlPacket(packet: Buffer): Decoded<ControlMessage> {
  const header = decodeHeader(packet);
  if (!header.ok) return header;
  if (!header.value.control) return bad(WHAT, 'C', 'the control bit is not set');
  if (header.value.length !== packet.length) {
    return bad(WHAT, 'length', `header says ${header.value.length} bytes, packet is ${packet.length}`);
  }
  if (packet.length < SSTP_CONTROL_HEADER_LENGTH) {
    return bad(WHAT, 'length', `${packet.length} bytes is shorter than the 8-byte control header`);
  }
  const typeNumber = packet.readUInt16BE(4);
  const type = messageTypeFromNumber(typeNumber);
  if (type === undefined) return bad(WHAT, 'messageType', `${typeNumber} is not a known message type`);
  const count = packet.readUInt16BE(6);

  const attributes: SstpAttribute[] = [];
  let pos = SSTP_CONTROL_HEADER_LENGTH;
  for (let i = 0; i < count; i++) {
    const field = `attribute[${i}]`;
    if (packet.length - pos < SSTP_ATTRIBUTE_HEADER_LENGTH) {
      return bad(WHAT, 'attributeCount', `${count} attributes announced, packet ends after ${i}`);
    }
    const id = packet[pos + 1] ?? 0;
    const length = packet.readUInt16BE(pos + 2) & 0x0fff;
    if (length < SSTP_ATTRIBUTE_HEADER_LENGTH) {
      return bad(WHAT, `${field}.length`, `${length} is shorter than the 4-byte attribute header`);
    }
    if (length > packet.length - pos) {
      return bad(
        WHAT,
        `${field}.length`,
        `${length} runs past the end of the packet (${packet.length - pos} bytes left)`,
      );
    }
    const decoded = decodeAttributeValue(id, packet.subarray(pos + SSTP_ATTRIBUTE_HEADER_LENGTH, pos + length), field);
    if (!decoded.ok) return decoded;
    attributes.push(decoded.value);
    pos += length;
  }
  if (pos !== packet.length) {
    return bad(WHAT, 'attributeCount', `${packet.length - pos} bytes left over after ${count} attributes`);
  }
  return ok({ type, attributes });
}

/** Encodes a control message into one freshly allocated buffer. Throws RangeError if it cannot be sent. */
export function encodeControlPacket(msg: ControlMessage): Buffer {
  let length = SSTP_CONTROL_HEADER_LENGTH;
  for (const a of msg.attributes) length += attributeLength(a);
  if (length > SSTP_MAX_PACKET_LENGTH) throw new RangeError(`control packet of ${length} bytes exceeds 4095`);
  if (msg.attributes.length > 0xffff) throw new RangeError('too many attributes');
  const out = Buffer.allocUnsafe(length);
  writeHeader(out, 0, true, length);
  out.writeUInt16BE(MESSAGE_TYPES[msg.type], 4);
  out.writeUInt16BE(msg.attributes.length, 6);
  let pos = SSTP_CONTROL_HEADER_LENGTH;
  for (const a of msg.attributes) pos = writeAttribute(out, pos, a);
  return out;
}

/** The first attribute of `kind`, typed. */
export function findAttribute<K extends AttributeKind>(
  msg: ControlMessage,
  kind: K,
): Extract<SstpAttribute, { kind: K }> | undefined {
  for (const a of msg.attributes) if (a.kind === kind) return a as Extract<SstpAttribute, { kind: K }>;
  return undefined;
}

export function statusInfo(status: StatusName, attribId = 0, value: Buffer = Buffer.alloc(0)): StatusInfoAttribute {
  // The spec caps the echoed attribute at 64 bytes; longer offenders are cut rather than refused.
  return { kind: 'STATUS_INFO', attribId, status: STATUS[status], value: value.subarray(0, STATUS_INFO_MAX_VALUE) };
}

// Constructors for the messages a client sends (and a strict test peer answers with).

export function callConnectRequest(protocolId = ENCAPSULATED_PROTOCOL_PPP): ControlMessage {
  return { type: 'CALL_CONNECT_REQUEST', attributes: [{ kind: 'ENCAPSULATED_PROTOCOL_ID', protocolId }] };
}

export function callConnectAck(hashBitmask: number, nonce: Buffer): ControlMessage {
  return { type: 'CALL_CONNECT_ACK', attributes: [{ kind: 'CRYPTO_BINDING_REQ', hashBitmask, nonce }] };
}

export function callConnectNak(statuses: readonly StatusInfoAttribute[]): ControlMessage {
  return { type: 'CALL_CONNECT_NAK', attributes: statuses };
}

export function callConnected(binding: CryptoBindingAttribute): ControlMessage {
  return { type: 'CALL_CONNECTED', attributes: [binding] };
}

export function callAbort(status: StatusInfoAttribute): ControlMessage {
  return { type: 'CALL_ABORT', attributes: [status] };
}

export function callDisconnect(status: StatusInfoAttribute = statusInfo('NO_ERROR')): ControlMessage {
  return { type: 'CALL_DISCONNECT', attributes: [status] };
}

export function bareMessage(type: 'CALL_DISCONNECT_ACK' | 'ECHO_REQUEST' | 'ECHO_RESPONSE'): ControlMessage {
  return { type, attributes: [] };
}
