// Protocol-Reject for protocols we do not speak, and how many of them we answer. RFC 1661 §5.7 wants
// one for every such packet, but a hostile or broken server can send 100 k of them: answering each
// makes us a reflector (one LCP packet back per frame, each a TLS write). A conforming peer stops
// using a protocol after its first Protocol-Reject, so a few per protocol per window lose nothing;
// the rest are only counted, and the log says so once per window.
import type { Logger } from '../log.js';
import { CONTROL_HEADER_BYTES, encodeMessage, type ControlPacket } from './packet.js';
import { protocolName } from './protocols.js';

export const REJECTS_PER_WINDOW = 4;
export const REJECT_WINDOW_MS = 1_000;

interface Window {
  startedAt: number;
  sent: number;
  suppressed: number;
}

export interface RejectContext {
  readonly peerMru: number;
  readonly nextId: () => number;
  readonly log: Logger;
}

export class ProtocolRejecter {
  private readonly windows = new Map<number, Window>();

  constructor(private readonly now: () => number) {}

  /** The LCP Protocol-Reject to send for this frame, or undefined while the window is spent. */
  answer(protocol: number, info: Buffer, ctx: RejectContext): ControlPacket | undefined {
    if (!this.take(protocol, ctx.log)) return undefined;
    // RFC 1661 §5.7: the rejected information is truncated to the peer's MRU.
    const room = Math.max(0, ctx.peerMru - CONTROL_HEADER_BYTES - 2);
    return encodeMessage({ kind: 'protocol-reject', id: ctx.nextId(), protocol, rejected: info.subarray(0, room) });
  }

  private take(protocol: number, log: Logger): boolean {
    const t = this.now();
    const name = protocolName(protocol);
    let w = this.windows.get(protocol);
    if (!w || t - w.startedAt >= REJECT_WINDOW_MS) {
      if (w && w.suppressed > 0) log.debug(`${w.suppressed} more ${name} frames were not answered`);
      // Keyed by the 16-bit protocol field: at most 65 536 small entries.
      w = { startedAt: t, sent: 0, suppressed: 0 };
      this.windows.set(protocol, w);
    }
    if (w.sent < REJECTS_PER_WINDOW) {
      w.sent += 1;
      return true;
    }
    w.suppressed += 1;
    if (w.suppressed === 1) log.debug(`more ${name} frames: Protocol-Rejects paused for this second`);
    return false;
  }
}
