// Control packets shared by LCP, IPCP and IPv6CP (RFC 1661 §5): the generic envelope, and the
// typed messages inside it. Codes 8..11 exist only in LCP; for the NCPs they are unknown codes.
import { ByteReader, bad, ok } from '../bytes.js';
import type { Decoded } from '../bytes.js';
import { decodeOptions, encodeOptions } from './options.js';
import type { ConfigOption } from './options.js';

export const CONF_REQ = 1;
export const CONF_ACK = 2;
export const CONF_NAK = 3;
export const CONF_REJ = 4;
export const TERM_REQ = 5;
export const TERM_ACK = 6;
export const CODE_REJ = 7;
export const PROTO_REJ = 8;
export const ECHO_REQ = 9;
export const ECHO_REP = 10;
export const DISCARD_REQ = 11;

export const CONTROL_HEADER_BYTES = 4;

export interface ControlPacket {
  readonly code: number;
  readonly id: number;
  /** Everything after the 4-byte header, up to Length (padding beyond it is dropped). */
  readonly data: Buffer;
}

// RFC 1661 §5:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Code      |  Identifier   |            Length             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |    Data ...
// +-+-+-+-+
// Octets beyond Length are padding and are ignored (RFC 1661 §5).
export function decodeControl(info: Buffer, what: string): Decoded<ControlPacket> {
  const r = new ByteReader(info);
  const code = r.u8();
  const id = r.u8();
  const length = r.u16();
  if (code === undefined || id === undefined || length === undefined) {
    return bad(what, 'length', `${info.length} bytes is shorter than the 4-byte header`);
  }
  if (length < CONTROL_HEADER_BYTES) return bad(what, 'length', `${length} is less than 4`);
  const data = r.bytes(length - CONTROL_HEADER_BYTES);
  if (data === undefined) return bad(what, 'length', `${length} exceeds the ${info.length} bytes received`);
  return ok({ code, id, data });
}

export function encodeControl(p: ControlPacket): Buffer {
  const out = Buffer.allocUnsafe(CONTROL_HEADER_BYTES + p.data.length);
  out[0] = p.code;
  out[1] = p.id;
  out.writeUInt16BE(CONTROL_HEADER_BYTES + p.data.length, 2);
  out.set(p.data, CONTROL_HEADER_BYTES);
  return out;
}

export type ConfigureCode = typeof CONF_REQ | typeof CONF_ACK | typeof CONF_NAK | typeof CONF_REJ;
export type EchoCode = typeof ECHO_REQ | typeof ECHO_REP | typeof DISCARD_REQ;

/** A control packet read according to its code. */
export type PppControlMessage =
  | {
      readonly kind: 'configure';
      readonly code: ConfigureCode;
      readonly id: number;
      readonly options: readonly ConfigOption[];
    }
  | {
      readonly kind: 'terminate';
      readonly code: typeof TERM_REQ | typeof TERM_ACK;
      readonly id: number;
      readonly data: Buffer;
    }
  | { readonly kind: 'code-reject'; readonly id: number; readonly rejected: Buffer }
  | { readonly kind: 'protocol-reject'; readonly id: number; readonly protocol: number; readonly rejected: Buffer }
  | {
      readonly kind: 'echo';
      readonly code: EchoCode;
      readonly id: number;
      readonly magic: number;
      readonly data: Buffer;
    }
  | { readonly kind: 'other'; readonly code: number; readonly id: number; readonly data: Buffer };

/** Which code set applies: LCP knows Protocol-Reject, Echo and Discard; the NCPs do not. */
export type CodeSet = 'lcp' | 'ncp';

export function decodeMessage(p: ControlPacket, codes: CodeSet, what: string): Decoded<PppControlMessage> {
  const { code, id, data } = p;
  switch (code) {
    case CONF_REQ:
    case CONF_ACK:
    case CONF_NAK:
    case CONF_REJ: {
      const options = decodeOptions(data, what);
      if (!options.ok) return options;
      return ok({ kind: 'configure', code, id, options: options.value });
    }
    case TERM_REQ:
    case TERM_ACK:
      return ok({ kind: 'terminate', code, id, data });
    // RFC 1661 §5.6: Code-Reject carries the rejected packet (from its Code field on), maybe truncated.
    case CODE_REJ:
      return ok({ kind: 'code-reject', id, rejected: data });
  }
  if (codes === 'lcp') {
    switch (code) {
      // RFC 1661 §5.7: Rejected-Protocol (2 octets), then the rejected information field.
      case PROTO_REJ: {
        const r = new ByteReader(data);
        const protocol = r.u16();
        if (protocol === undefined) return bad(what, 'rejected-protocol', 'missing');
        return ok({ kind: 'protocol-reject', id, protocol, rejected: r.rest() });
      }
      // RFC 1661 §5.8, §5.9: Magic-Number (4 octets), then data.
      case ECHO_REQ:
      case ECHO_REP:
      case DISCARD_REQ: {
        const r = new ByteReader(data);
        const magic = r.u32();
        if (magic === undefined) return bad(what, 'magic-number', 'missing');
        return ok({ kind: 'echo', code, id, magic, data: r.rest() });
      }
    }
  }
  return ok({ kind: 'other', code, id, data });
}

export function encodeMessage(m: PppControlMessage): ControlPacket {
  switch (m.kind) {
    case 'configure':
      return { code: m.code, id: m.id, data: encodeOptions(m.options) };
    case 'terminate':
      return { code: m.code, id: m.id, data: m.data };
    case 'code-reject':
      return { code: CODE_REJ, id: m.id, data: m.rejected };
    case 'protocol-reject': {
      const data = Buffer.allocUnsafe(2 + m.rejected.length);
      data.writeUInt16BE(m.protocol, 0);
      data.set(m.rejected, 2);
      return { code: PROTO_REJ, id: m.id, data };
    }
    case 'echo': {
      const data = Buffer.allocUnsafe(4 + m.data.length);
      data.writeUInt32BE(m.magic >>> 0, 0);
      data.set(m.data, 4);
      return { code: m.code, id: m.id, data };
    }
    case 'other':
      return { code: m.code, id: m.id, data: m.data };
  }
}

// pppd's short names for control codes. Built once: trace lines are made per packet.
const CODE_NAMES: Readonly<Record<number, string>> = {
  [CONF_REQ]: 'ConfReq',
  [CONF_ACK]: 'ConfAck',
  [CONF_NAK]: 'ConfNak',
  [CONF_REJ]: 'ConfRej',
  [TERM_REQ]: 'TermReq',
  [TERM_ACK]: 'TermAck',
  [CODE_REJ]: 'CodeRej',
};
const LCP_CODE_NAMES: Readonly<Record<number, string>> = {
  [PROTO_REJ]: 'ProtRej',
  [ECHO_REQ]: 'EchoReq',
  [ECHO_REP]: 'EchoRep',
  [DISCARD_REQ]: 'DiscReq',
  12: 'Ident',
  13: 'TimeRem',
};

/** pppd's short names for control codes, used in trace lines. */
export function codeName(code: number, codes: CodeSet): string {
  return CODE_NAMES[code] ?? (codes === 'lcp' ? LCP_CODE_NAMES[code] : undefined) ?? `code=0x${code.toString(16)}`;
}
