// Configuration option lists (RFC 1661 §6). Options are kept as raw type + data, in the order
// received, so that a Configure-Ack or Configure-Reject can echo them byte for byte.
import { ByteReader, bad, ok } from '../bytes.js';
import type { Decoded } from '../bytes.js';

export interface ConfigOption {
  readonly type: number;
  /** The option's data without its type and length octets (a view into the received packet). */
  readonly data: Buffer;
}

/** The longest option data a one-octet length can carry. */
export const MAX_OPTION_DATA = 255 - 2;

// RFC 1661 §6:
//  0                   1
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |    Length     |    Data ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Length counts the type and length octets too, so it is at least 2.
export function decodeOptions(buf: Buffer, what: string): Decoded<ConfigOption[]> {
  const r = new ByteReader(buf);
  const out: ConfigOption[] = [];
  while (r.remaining > 0) {
    const i = out.length;
    const type = r.u8();
    const length = r.u8();
    if (type === undefined || length === undefined) return bad(what, `option[${i}].length`, 'missing');
    if (length < 2) return bad(what, `option[${i}].length`, `${length} is less than 2`);
    const data = r.bytes(length - 2);
    if (data === undefined) {
      return bad(what, `option[${i}].length`, `${length} exceeds the ${r.remaining + 2} bytes left`);
    }
    out.push({ type, data });
  }
  return ok(out);
}

export function optionsByteLength(options: readonly ConfigOption[]): number {
  let n = 0;
  for (const o of options) n += 2 + o.data.length;
  return n;
}

/** Encodes options in order. Data longer than MAX_OPTION_DATA is a programming error and throws. */
export function encodeOptions(options: readonly ConfigOption[]): Buffer {
  const out = Buffer.allocUnsafe(optionsByteLength(options));
  let at = 0;
  for (const o of options) {
    if (o.data.length > MAX_OPTION_DATA) throw new RangeError(`option ${o.type} data is ${o.data.length} bytes`);
    out[at] = o.type;
    out[at + 1] = o.data.length + 2;
    out.set(o.data, at + 2);
    at += 2 + o.data.length;
  }
  return out;
}

export function option(type: number, data: Uint8Array = Buffer.alloc(0)): ConfigOption {
  return { type, data: Buffer.from(data) };
}

export function u16Option(type: number, value: number): ConfigOption {
  const data = Buffer.allocUnsafe(2);
  data.writeUInt16BE(value);
  return { type, data };
}

export function u32Option(type: number, value: number): ConfigOption {
  const data = Buffer.allocUnsafe(4);
  data.writeUInt32BE(value >>> 0);
  return { type, data };
}

/** The option's data as a 16-bit value, when it is exactly 2 bytes. */
export function u16Of(o: ConfigOption): number | undefined {
  return o.data.length === 2 ? o.data.readUInt16BE(0) : undefined;
}

/** The option's data as a 32-bit value, when it is exactly 4 bytes. */
export function u32Of(o: ConfigOption): number | undefined {
  return o.data.length === 4 ? o.data.readUInt32BE(0) : undefined;
}

export function sameOption(a: ConfigOption, b: ConfigOption): boolean {
  return a.type === b.type && a.data.equals(b.data);
}
