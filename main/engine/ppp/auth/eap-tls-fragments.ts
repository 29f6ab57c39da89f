// The EAP-TLS framing (RFC 5216 §3.1), shared by every TLS-based EAP method (EAP-TLS type 13,
// PEAP type 25 whose low three flag bits carry the PEAP version): the Type-Data codec, the
// reassembly of a peer's fragmented TLS message and the fragmentation of ours. Pure: no TLS, no I/O.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Code      |   Identifier  |            Length             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |     Flags     |      TLS Message Length
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     TLS Message Length        |       TLS Data...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Flags: L (0x80) TLS Message Length included, M (0x40) more fragments follow, S (0x20) start;
// the rest is reserved (ignored on receipt, RFC 5216 §3.1) or, in PEAP, the version.
import { bad, ok } from '../../bytes.js';
import type { Decoded } from '../../bytes.js';

export const EAP_TYPE_TLS = 13;
export const EAP_TYPE_PEAP = 25;

export const FLAG_LENGTH = 0x80;
export const FLAG_MORE = 0x40;
export const FLAG_START = 0x20;
/** PEAP (draft-josefsson-pppext-eap-tls-eap §3.1) puts its version in the low bits; EAP-TLS keeps them 0. */
export const VERSION_MASK = 0x07;

/** EAP header (4) + Type (1) + Flags (1) + TLS Message Length (4): what a fragment costs besides its data. */
export const FRAGMENT_OVERHEAD = 10;
/** The most any one TLS message may total before we refuse it: far above a real certificate chain. */
export const DEFAULT_MAX_MESSAGE = 256 * 1024;

export interface TlsFragment {
  readonly start: boolean;
  readonly more: boolean;
  /** TLS Message Length when the L flag was set. */
  readonly totalLength?: number;
  /** The low three flag bits (PEAP's version; 0 for EAP-TLS). */
  readonly version: number;
  /** TLS data; a view into the packet, no copy. Empty for an ACK or a Start. */
  readonly data: Buffer;
}

const WHAT = 'EAP-TLS packet';

/**
 * Decodes the Type-Data after the EAP Type octet. An empty Type-Data (no Flags octet at all) reads
 * as an ACK: SoftEther 5.01 acknowledges our fragments that way (BuildEAPPacketEx with size 0).
 */
export function decodeTlsFragment(typeData: Buffer): Decoded<TlsFragment> {
  const flags = typeData[0];
  if (flags === undefined) return ok({ start: false, more: false, version: 0, data: typeData });
  const start = (flags & FLAG_START) !== 0;
  const more = (flags & FLAG_MORE) !== 0;
  const version = flags & VERSION_MASK;
  if ((flags & FLAG_LENGTH) === 0) return ok({ start, more, version, data: typeData.subarray(1) });
  if (typeData.length < 5)
    return bad(WHAT, 'TLS Message Length', `L flag set but only ${typeData.length - 1} bytes follow the flags`);
  const totalLength = typeData.readUInt32BE(1);
  return ok({ start, more, version, totalLength, data: typeData.subarray(5) });
}

/** The Type-Data for a fragment: Flags, TLS Message Length when given, data. */
export function encodeTlsFragment(f: TlsFragment): Buffer {
  const flags =
    (f.totalLength !== undefined ? FLAG_LENGTH : 0) |
    (f.more ? FLAG_MORE : 0) |
    (f.start ? FLAG_START : 0) |
    (f.version & VERSION_MASK);
  const head = Buffer.alloc(f.totalLength !== undefined ? 5 : 1);
  head[0] = flags;
  if (f.totalLength !== undefined) head.writeUInt32BE(f.totalLength, 1);
  return Buffer.concat([head, f.data]);
}

/** An empty fragment: the ACK of a peer's fragment, or our answer when TLS has nothing to say. */
export function ackFragment(version = 0): TlsFragment {
  return { start: false, more: false, version, data: Buffer.alloc(0) };
}

/**
 * Cuts one TLS message into fragments of at most `maxData` data bytes each. A message that fits
 * goes in one fragment without L; a longer one carries L (the total) on its first fragment, as
 * RFC 5216 §2.1.5 requires, and M on all but the last. `maxData` is counted without the 4 bytes of
 * L: every fragment, first included, stays within maxData + FRAGMENT_OVERHEAD bytes of EAP packet.
 */
export function fragmentMessage(message: Buffer, maxData: number, version = 0): TlsFragment[] {
  const size = Math.max(1, Math.floor(maxData));
  if (message.length <= size) return [{ start: false, more: false, version, data: message }];
  const out: TlsFragment[] = [];
  for (let at = 0; at < message.length; at += size) {
    const end = Math.min(message.length, at + size);
    out.push({
      start: false,
      more: end < message.length,
      version,
      ...(at === 0 ? { totalLength: message.length } : {}),
      data: message.subarray(at, end),
    });
  }
  return out;
}

export type ReassemblyError =
  | { readonly kind: 'too-large'; readonly limit: number; readonly size: number }
  | { readonly kind: 'length-mismatch'; readonly declared: number; readonly received: number }
  | { readonly kind: 'empty-fragment' }
  | { readonly kind: 'length-changed'; readonly first: number; readonly now: number };

export type ReassemblyStep =
  /** A fragment with M was stored: answer with an ACK. */
  | { readonly kind: 'need-more'; readonly received: number }
  /** The message is whole (possibly from a single unfragmented packet). */
  | { readonly kind: 'complete'; readonly message: Buffer }
  | { readonly kind: 'error'; readonly error: ReassemblyError };

/**
 * Collects a peer's fragments into one TLS message, never holding more than `limit` bytes: a
 * declared TLS Message Length above the limit is refused before anything is stored. After an
 * error the reassembler is empty again; the caller decides whether the exchange ends (it should).
 */
export class Reassembler {
  private parts: Buffer[] = [];
  private received = 0;
  private declared: number | undefined;

  constructor(private readonly limit = DEFAULT_MAX_MESSAGE) {}

  /** Bytes currently held. */
  get held(): number {
    return this.received;
  }

  get inProgress(): boolean {
    return this.parts.length > 0 || this.declared !== undefined;
  }

  push(f: TlsFragment): ReassemblyStep {
    if (f.totalLength !== undefined) {
      if (this.declared !== undefined && this.declared !== f.totalLength) {
        return this.error({ kind: 'length-changed', first: this.declared, now: f.totalLength });
      }
      if (f.totalLength > this.limit) return this.error({ kind: 'too-large', limit: this.limit, size: f.totalLength });
      this.declared = f.totalLength;
    }
    // A fragment with M but no data would have us ACK forever without progress.
    if (f.more && f.data.length === 0) return this.error({ kind: 'empty-fragment' });
    const size = this.received + f.data.length;
    if (size > this.limit) return this.error({ kind: 'too-large', limit: this.limit, size });
    if (this.declared !== undefined && size > this.declared) {
      return this.error({ kind: 'length-mismatch', declared: this.declared, received: size });
    }
    // Copy: the fragment is a view into a packet buffer the caller may reuse.
    this.parts.push(Buffer.from(f.data));
    this.received = size;
    if (f.more) return { kind: 'need-more', received: size };
    const declared = this.declared;
    const message = this.parts.length === 1 ? (this.parts[0] ?? Buffer.alloc(0)) : Buffer.concat(this.parts, size);
    this.reset();
    if (declared !== undefined && declared !== size)
      return { kind: 'error', error: { kind: 'length-mismatch', declared, received: size } };
    return { kind: 'complete', message };
  }

  reset(): void {
    this.parts = [];
    this.received = 0;
    this.declared = undefined;
  }

  private error(error: ReassemblyError): ReassemblyStep {
    this.reset();
    return { kind: 'error', error };
  }
}

export function describeReassemblyError(e: ReassemblyError): string {
  switch (e.kind) {
    case 'too-large':
      return `TLS message of ${e.size} bytes exceeds the ${e.limit}-byte limit`;
    case 'length-mismatch':
      return `TLS Message Length says ${e.declared} bytes, fragments carried ${e.received}`;
    case 'empty-fragment':
      return 'fragment with the M flag but no data';
    case 'length-changed':
      return `TLS Message Length changed from ${e.first} to ${e.now} within one message`;
  }
}

/**
 * Our outgoing message, handed out one fragment per peer ACK. `next()` returns undefined once the
 * last fragment went out.
 */
export class FragmentSender {
  private readonly queue: TlsFragment[];

  constructor(message: Buffer, maxData: number, version = 0) {
    this.queue = fragmentMessage(message, maxData, version);
  }

  get pending(): number {
    return this.queue.length;
  }

  next(): TlsFragment | undefined {
    return this.queue.shift();
  }
}

/** TLS data room in one fragment for a peer MRU: the EAP packet must fit the PPP information field. */
export function maxFragmentData(peerMru: number): number {
  return Math.max(64, peerMru - FRAGMENT_OVERHEAD);
}
