// Bounds-checked big-endian reads over a Buffer. Readers never throw: a read past the end
// returns undefined and the caller turns that into one typed "malformed X" error.

import type { Result } from './result.js';
export class ByteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number | undefined {
    if (this.pos + 1 > this.end) return undefined;
    return this.buf[this.pos++];
  }

  u16(): number | undefined {
    if (this.pos + 2 > this.end) return undefined;
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number | undefined {
    if (this.pos + 4 > this.end) return undefined;
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view (no copy) of the next n bytes. */
  bytes(n: number): Buffer | undefined {
    if (n < 0 || this.pos + n > this.end) return undefined;
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A view of everything left. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }
}

/** Result of decoding untrusted bytes: a value, or an error that names the field. */
export type Decoded<T> = Result<T, DecodeError>;

export interface DecodeError {
  /** What was being decoded, e.g. "SSTP control packet", "LCP Configure-Request". */
  readonly what: string;
  /** The field that was wrong, e.g. "length", "attribute[2].length". */
  readonly field: string;
  /** Why, e.g. "12 exceeds the 8 bytes received". */
  readonly reason: string;
}

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function bad<T = never>(what: string, field: string, reason: string): Decoded<T> {
  return { ok: false, error: { what, field, reason } };
}

export function describeDecodeError(e: DecodeError): string {
  return `malformed ${e.what}: ${e.field}: ${e.reason}`;
}

export function hex(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('hex');
}
