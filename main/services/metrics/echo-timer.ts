// Times keepalives from the bytes a tap sees. SSTP: an outbound ECHO_REQUEST starts the clock, the
// next inbound ECHO_RESPONSE stops it (MS-SSTP §3.1.6.2: one echo outstanding at a time). LCP
// (RFC 1661 §5.8): an outbound Echo-Request is matched by identifier to the inbound Echo-Reply. Both
// run while the line is quiet, and whichever fires first keeps the other quiet, so both are timed.
// Each direction is re-delineated into packets, so a reply split across TLS reads is still seen.
import type { Clock } from '../../engine/clock.js';
import type { TapDirection } from '../../engine/diagnostics/stream-tap.js';
import { MESSAGE_TYPES } from '../../engine/sstp/constants.js';
import { SstpDeframer, type DeframeSink } from '../../engine/sstp/deframer.js';

export type EchoLayer = 'sstp' | 'lcp';

const LCP_ECHO_REQUEST = 9;
const LCP_ECHO_REPLY = 10;

export class EchoTimer {
  private deframers: Record<TapDirection, SstpDeframer> = { in: new SstpDeframer(), out: new SstpDeframer() };
  private sstpSentAt: number | undefined;
  /** LCP identifier → when its Echo-Request went out (a handful at most: the link dies after a few). */
  private readonly lcpSentAt = new Map<number, number>();
  private readonly sinks: Record<TapDirection, DeframeSink>;

  constructor(
    private readonly clock: Clock,
    private readonly onRtt: (layer: EchoLayer, ms: number) => void,
  ) {
    this.sinks = { in: this.sink('in'), out: this.sink('out') };
  }

  /** A new connection: a new stream in both directions, nothing outstanding. */
  reset(): void {
    this.deframers = { in: new SstpDeframer(), out: new SstpDeframer() };
    this.sstpSentAt = undefined;
    this.lcpSentAt.clear();
  }

  push(direction: TapDirection, chunk: Buffer): void {
    // A stream that stops being SSTP ends the session anyway; the failed deframer just stays quiet.
    this.deframers[direction].pushTo(chunk, this.sinks[direction]);
  }

  private sink(direction: TapDirection): DeframeSink {
    return {
      control: (packet) => {
        const type = packet.length >= 6 ? packet.readUInt16BE(4) : -1;
        if (direction === 'out' && type === MESSAGE_TYPES.ECHO_REQUEST) this.sstpSentAt = this.clock.now();
        else if (direction === 'in' && type === MESSAGE_TYPES.ECHO_RESPONSE && this.sstpSentAt !== undefined) {
          this.onRtt('sstp', this.clock.now() - this.sstpSentAt);
          this.sstpSentAt = undefined;
        }
      },
      data: (bytes, start, end) => {
        // FF 03 C0 21 code id: four byte compares per data packet, nothing more for IP traffic.
        if (end - start < 6 || bytes[start + 2] !== 0xc0 || bytes[start + 3] !== 0x21 || bytes[start] !== 0xff) return;
        const code = bytes[start + 4];
        const id = bytes[start + 5] ?? 0;
        if (direction === 'out' && code === LCP_ECHO_REQUEST) {
          if (this.lcpSentAt.size > 16) this.lcpSentAt.clear();
          this.lcpSentAt.set(id, this.clock.now());
        } else if (direction === 'in' && code === LCP_ECHO_REPLY) {
          const at = this.lcpSentAt.get(id);
          if (at === undefined) return;
          this.lcpSentAt.delete(id);
          this.onRtt('lcp', this.clock.now() - at);
        }
      },
    };
  }
}
