// SSTP wire numbers (MS-SSTP §2.2). Names are the spec's, minus the SSTP_MSG_/SSTP_ATTRIB_ prefixes,
// so logs and failure details can be matched against packet captures and the specification.

export const SSTP_VERSION = 0x10;
export const SSTP_HEADER_LENGTH = 4;
/** The length field has 12 bits, so no packet can be longer. */
export const SSTP_MAX_PACKET_LENGTH = 0x0fff;
/** Largest PPP frame (FF 03 proto info) one data packet can carry. */
export const SSTP_MAX_DATA_FRAME = SSTP_MAX_PACKET_LENGTH - SSTP_HEADER_LENGTH;
/** Header + message type (2) + attribute count (2). */
export const SSTP_CONTROL_HEADER_LENGTH = 8;
export const SSTP_ATTRIBUTE_HEADER_LENGTH = 4;

export const MESSAGE_TYPES = {
  CALL_CONNECT_REQUEST: 1,
  CALL_CONNECT_ACK: 2,
  CALL_CONNECT_NAK: 3,
  CALL_CONNECTED: 4,
  CALL_ABORT: 5,
  CALL_DISCONNECT: 6,
  CALL_DISCONNECT_ACK: 7,
  ECHO_REQUEST: 8,
  ECHO_RESPONSE: 9,
} as const;
export type MessageType = keyof typeof MESSAGE_TYPES;

const MESSAGE_BY_NUMBER = new Map<number, MessageType>(
  (Object.entries(MESSAGE_TYPES) as [MessageType, number][]).map(([name, n]) => [n, name]),
);

export function messageTypeFromNumber(n: number): MessageType | undefined {
  return MESSAGE_BY_NUMBER.get(n);
}

export const ATTRIBUTE_IDS = {
  ENCAPSULATED_PROTOCOL_ID: 1,
  STATUS_INFO: 2,
  CRYPTO_BINDING: 3,
  CRYPTO_BINDING_REQ: 4,
} as const;

/** Whole-attribute lengths (header included) fixed by the spec; STATUS_INFO varies within a range. */
export const ENCAPSULATED_PROTOCOL_ID_LENGTH = 6;
export const STATUS_INFO_MIN_LENGTH = 12;
export const STATUS_INFO_MAX_VALUE = 64;
export const STATUS_INFO_MAX_LENGTH = STATUS_INFO_MIN_LENGTH + STATUS_INFO_MAX_VALUE;
export const CRYPTO_BINDING_LENGTH = 104;
export const CRYPTO_BINDING_REQ_LENGTH = 40;
export const NONCE_LENGTH = 32;
/** Cert hash and compound MAC fields are 32 bytes whatever the hash; SHA-1 values are zero-padded. */
export const BINDING_FIELD_LENGTH = 32;

export const ENCAPSULATED_PROTOCOL_PPP = 1;

/** Hash protocol values in CRYPTO_BINDING, and bits of the CRYPTO_BINDING_REQ bitmask. */
export const HASH_PROTOCOL_SHA1 = 0x01;
export const HASH_PROTOCOL_SHA256 = 0x02;

export const STATUS = {
  NO_ERROR: 0,
  DUPLICATE_ATTRIBUTE: 1,
  UNRECOGNIZED_ATTRIBUTE: 2,
  INVALID_ATTRIB_VALUE_LENGTH: 3,
  VALUE_NOT_SUPPORTED: 4,
  UNACCEPTED_FRAME_RECEIVED: 5,
  RETRY_COUNT_EXCEEDED: 6,
  INVALID_FRAME_RECEIVED: 7,
  NEGOTIATION_TIMEOUT: 8,
  ATTRIB_NOT_SUPPORTED_IN_MSG: 9,
  REQUIRED_ATTRIBUTE_MISSING: 10,
  STATUS_INFO_NOT_SUPPORTED_IN_MSG: 11,
} as const;
export type StatusName = keyof typeof STATUS;

const STATUS_BY_NUMBER = new Map<number, StatusName>(
  (Object.entries(STATUS) as [StatusName, number][]).map(([name, n]) => [n, name]),
);

export function statusName(n: number): StatusName | undefined {
  return STATUS_BY_NUMBER.get(n);
}
