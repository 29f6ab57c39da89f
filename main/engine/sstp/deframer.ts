// Reassembles SSTP packets from the TLS byte stream. Packets that lie whole inside a chunk are
// returned as views into it (no copy); only a packet split across chunks is copied, once, into a
// buffer of its exact size, so every returned view stays valid after later pushes.
import type { DecodeError } from '../bytes.js';
import { SSTP_HEADER_LENGTH, SSTP_MAX_PACKET_LENGTH } from './constants.js';
import { checkHeaderFields } from './header.js';

/*
 * Stream = packet*, each packet = header (4: version, flags with C bit, 12-bit length) + body,
 * length counting the header (MS-SSTP §2.2.1). A bad version or a length below 4 means the stream
 * cannot be delineated any further (§3.1.5.1: abort without sending anything).
 */
export type FramedPacket =
  /** `frame` is the PPP frame (FF 03 proto info) without the SSTP header. */
  | { readonly kind: 'data'; readonly frame: Buffer }
  /** `packet` is the whole control packet, header included, for decodeControlPacket. */
  | { readonly kind: 'control'; readonly packet: Buffer };

/**
 * Where pushTo() hands packets, as they complete. No per-packet objects: the IP fast path needs
 * one view per packet, and makes it itself.
 */
export interface DeframeSink {
  /** A data packet whose PPP frame (FF 03 proto info) is bytes[start, end). `bytes` may be a whole chunk. */
  data(bytes: Buffer, start: number, end: number): void;
  /** A control packet, header included, for decodeControlPacket. */
  control(packet: Buffer): void;
}

export type DeframeResult =
  | { readonly ok: true; readonly packets: readonly FramedPacket[] }
  /** Packets before the bad header are still delivered; the deframer stays failed afterwards. */
  | { readonly ok: false; readonly packets: readonly FramedPacket[]; readonly error: DecodeError };

export class SstpDeframer {
  /** Header bytes of a packet whose header itself was split (0..3 gathered). */
  private readonly head = Buffer.alloc(SSTP_HEADER_LENGTH);
  private headLength = 0;
  /** A packet being reassembled across chunks, allocated at its full length once the header is known. */
  private partial: Buffer | undefined;
  private partialFilled = 0;
  private failure: DecodeError | undefined;

  /** Bytes held for an incomplete packet; non-zero when the stream ends mid-packet. */
  get pendingBytes(): number {
    return this.partial !== undefined ? this.partialFilled : this.headLength;
  }

  get failed(): DecodeError | undefined {
    return this.failure;
  }

  push(chunk: Buffer): DeframeResult {
    const packets: FramedPacket[] = [];
    const error = this.pushTo(chunk, {
      data: (bytes, start, end) => packets.push({ kind: 'data', frame: bytes.subarray(start, end) }),
      control: (packet) => packets.push({ kind: 'control', packet }),
    });
    return error === undefined ? { ok: true, packets } : { ok: false, packets, error };
  }

  /**
   * push() for the data path: each packet goes to `sink` as soon as it is complete. Returns the
   * error that stopped the stream (packets before it were delivered), else undefined.
   */
  pushTo(chunk: Buffer, sink: DeframeSink): DecodeError | undefined {
    if (this.failure) return this.failure;
    let off = 0;
    while (off < chunk.length) {
      if (this.partial !== undefined) {
        off = this.fillPartial(chunk, off, sink);
        continue;
      }
      if (this.headLength > 0) {
        const take = Math.min(SSTP_HEADER_LENGTH - this.headLength, chunk.length - off);
        chunk.copy(this.head, this.headLength, off, off + take);
        this.headLength += take;
        off += take;
        if (this.headLength < SSTP_HEADER_LENGTH) break;
        this.headLength = 0;
        const length = this.readLength(this.head, 0);
        if (length === undefined) return this.failure;
        this.partial = Buffer.allocUnsafe(length);
        this.head.copy(this.partial, 0);
        this.partialFilled = SSTP_HEADER_LENGTH;
        if (length === SSTP_HEADER_LENGTH) this.completePartial(sink);
        continue;
      }
      const available = chunk.length - off;
      if (available < SSTP_HEADER_LENGTH) {
        chunk.copy(this.head, 0, off);
        this.headLength = available;
        break;
      }
      const length = this.readLength(chunk, off);
      if (length === undefined) return this.failure;
      if (length <= available) {
        emit(chunk, off, off + length, sink);
        off += length;
        continue;
      }
      this.partial = Buffer.allocUnsafe(length);
      this.partialFilled = 0;
      off = this.fillPartial(chunk, off, sink);
    }
    return undefined;
  }

  private fillPartial(chunk: Buffer, off: number, sink: DeframeSink): number {
    const partial = this.partial as Buffer;
    const take = Math.min(partial.length - this.partialFilled, chunk.length - off);
    chunk.copy(partial, this.partialFilled, off, off + take);
    this.partialFilled += take;
    if (this.partialFilled === partial.length) this.completePartial(sink);
    return off + take;
  }

  private completePartial(sink: DeframeSink): void {
    const partial = this.partial as Buffer;
    this.partial = undefined;
    this.partialFilled = 0;
    emit(partial, 0, partial.length, sink);
  }

  /** Validated packet length from a header at `at`, or undefined with `failure` set. */
  private readLength(buf: Buffer, at: number): number | undefined {
    const length = buf.readUInt16BE(at + 2) & SSTP_MAX_PACKET_LENGTH;
    const checked = checkHeaderFields(buf[at] ?? 0, length);
    if (!checked.ok) {
      this.failure = checked.error;
      return undefined;
    }
    return length;
  }
}

/** The SSTP packet bytes[start, end) to the sink: the C bit of the flags byte tells control from data. */
function emit(bytes: Buffer, start: number, end: number, sink: DeframeSink): void {
  if (((bytes[start + 1] ?? 0) & 0x01) === 0x01)
    sink.control(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  else sink.data(bytes, start + SSTP_HEADER_LENGTH, end);
}
