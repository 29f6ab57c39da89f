// The RFC 1661 §4 option-negotiation automaton, shared by LCP, IPCP and IPv6CP. The state table is
// automaton-table.ts; this file turns packets and timeouts into the table's events (checking that a
// reply answers our outstanding request), carries out its actions — the restart timer and counters,
// identifiers, the shape of Ack/Nak/Reject replies — and runs the owner's hooks. Each protocol
// supplies only a NegotiationPolicy (what to ask for, how to judge the peer).
import type { TimerHandle } from '../clock.js';
import { TABLE, type Actions } from './automaton-table.js';
import { RFC1661_LIMITS } from './automaton-types.js';
import type { AutomatonLimits, AutomatonOptions, PppEvent, State } from './automaton-types.js';
import { encodeOptions } from './options.js';
import type { ConfigOption } from './options.js';
import {
  CODE_REJ,
  CONF_ACK,
  CONF_NAK,
  CONF_REJ,
  CONF_REQ,
  CONTROL_HEADER_BYTES,
  TERM_ACK,
  TERM_REQ,
  decodeMessage,
  encodeControl,
} from './packet.js';
import type { ControlPacket } from './packet.js';
import type { Outcome } from './policy.js';

export { RFC1661_LIMITS } from './automaton-types.js';
export type { AutomatonHooks, AutomatonLimits, AutomatonOptions, PppEvent, State } from './automaton-types.js';

const TIMED: ReadonlySet<State> = new Set<State>(['closing', 'stopping', 'req-sent', 'ack-rcvd', 'ack-sent']);
const NEGOTIATING: ReadonlySet<State> = new Set<State>(['req-sent', 'ack-rcvd', 'ack-sent']);
/** States where a Configure packet is answered (or ignored) by the table alone, the policy unasked. */
const IDLE: ReadonlySet<State> = new Set<State>(['initial', 'starting', 'closed', 'closing', 'stopping']);

/** The replies an event may send, bound to the packet that caused it. */
interface Replies {
  sca?(): void;
  scn?(): void;
  sta?(): void;
  scj?(): void;
}

export class Automaton {
  private st: State = 'initial';
  private restartCount = 0;
  private timer: TimerHandle | undefined;
  private lastId = 0;
  /** Our outstanding Configure-Request: its id and exact option bytes; `answered` once a valid reply came. */
  private request: { id: number; options: readonly ConfigOption[]; bytes: Buffer; answered: boolean } | undefined;
  /** Naks we sent since our last Ack (Max-Failure), and Naks we received in a row. */
  private sentNaks = 0;
  private rcvdNaks = 0;
  private done = false;
  /** This-Layer-Up/Finished run after the new state is entered, so the owner sees it. */
  private pendingUp = false;
  private pendingFinish: PppEvent | undefined;
  private readonly limits: AutomatonLimits;

  constructor(private readonly o: AutomatonOptions) {
    this.limits = o.limits ?? RFC1661_LIMITS;
  }

  get state(): State {
    return this.st;
  }

  get isOpened(): boolean {
    return this.st === 'opened';
  }

  /** A fresh identifier for packets outside negotiation (echo, Protocol-Reject). */
  nextId(): number {
    this.lastId = (this.lastId + 1) & 0xff;
    return this.lastId;
  }

  /** Cancel the timer and ignore everything from now on; no hooks are called again. */
  halt(): void {
    this.done = true;
    this.cancelTimer();
  }

  // ---- administrative and lower-layer events ----

  up(): void {
    this.event('Up');
  }

  down(): void {
    this.event('Down');
  }

  open(): void {
    this.event('Open');
  }

  close(): void {
    this.event('Close');
  }

  /** RXJ from outside: LCP received a Protocol-Reject naming this protocol. */
  rejectedByPeer(acceptable: boolean): void {
    this.event(acceptable ? 'RXJ+' : 'RXJ-');
  }

  // ---- receive ----

  receive(packet: ControlPacket): void {
    if (this.done) return;
    const decoded = decodeMessage(packet, this.o.codes, `${this.o.name} packet`);
    if (!decoded.ok) {
      this.o.log.debug(`${this.o.name}: dropped: ${decoded.error.field}: ${decoded.error.reason}`);
      return;
    }
    const m = decoded.value;
    switch (m.kind) {
      case 'configure':
        switch (m.code) {
          case CONF_REQ:
            return this.rcr(m.id, m.options, packet.data);
          case CONF_ACK:
            return this.rca(m.id, packet.data);
          case CONF_NAK:
          case CONF_REJ:
            return this.rcnOrRej(m.code, m.id, m.options);
        }
        return;
      case 'terminate':
        return m.code === TERM_REQ ? this.event('RTR', { sta: () => this.sta(m.id) }) : this.event('RTA');
      case 'code-reject':
        return this.rcodeRej(m.rejected);
      default: {
        const handled = this.o.policy.handleCode?.(m, this.st === 'opened') ?? 'unknown';
        if (handled === 'unknown') this.event('RUC', { scj: () => this.scj(packet) });
        return;
      }
    }
  }

  private rcr(id: number, options: readonly ConfigOption[], raw: Buffer): void {
    const sta = () => this.sta(id);
    if (IDLE.has(this.st)) return this.event('RCR+', { sta });
    const naksExhausted = this.sentNaks >= this.limits.maxFailure;
    const j = this.o.policy.judgeRequest(options, { id, naksExhausted });
    if (j.kind === 'abort') return;
    const rejected: ConfigOption[] = [];
    const naked: ConfigOption[] = [];
    options.forEach((opt, i) => {
      const v = j.verdicts[i] ?? { kind: 'reject' };
      if (v.kind === 'reject') rejected.push(opt);
      else if (v.kind === 'nak') {
        // RFC 1661 §4.6 Max-Failure: past it, what we would Nak we Reject instead, so we converge.
        if (naksExhausted) rejected.push(opt);
        else naked.push(v.suggest);
      }
    });
    const reply: ControlPacket | undefined =
      rejected.length > 0
        ? { code: CONF_REJ, id, data: encodeOptions(rejected) }
        : naked.length > 0
          ? { code: CONF_NAK, id, data: encodeOptions(naked) }
          : undefined;
    if (reply === undefined) return this.event('RCR+', { sta, sca: () => this.sca(id, options, raw) });
    this.event('RCR-', {
      sta,
      scn: () => {
        if (reply.code === CONF_NAK) this.sentNaks++;
        this.o.hooks.send(reply);
      },
    });
  }

  private rca(id: number, raw: Buffer): void {
    const sta = () => this.sta(id);
    if (IDLE.has(this.st) || this.st === 'stopped') return this.event('RCA', { sta });
    const req = this.request;
    if (!req || req.id !== id || req.answered) {
      this.o.log.debug(`${this.o.name}: ignored Configure-Ack id=0x${id.toString(16)}: not our outstanding request`);
      return;
    }
    // RFC 1661 §5.2: the Ack must list exactly the options we sent, in order.
    if (!raw.equals(req.bytes)) {
      this.o.log.debug(
        `${this.o.name}: ignored Configure-Ack id=0x${id.toString(16)}: options differ from our request`,
      );
      return;
    }
    req.answered = true;
    this.rcvdNaks = 0;
    this.o.policy.requestAcked(req.options);
    this.event('RCA', { sta });
  }

  private rcnOrRej(code: typeof CONF_NAK | typeof CONF_REJ, id: number, options: readonly ConfigOption[]): void {
    const sta = () => this.sta(id);
    if (IDLE.has(this.st) || this.st === 'stopped') return this.event('RCN', { sta });
    const req = this.request;
    const name = code === CONF_NAK ? 'Configure-Nak' : 'Configure-Reject';
    if (!req || req.id !== id || req.answered) {
      this.o.log.debug(`${this.o.name}: ignored ${name} id=0x${id.toString(16)}: not our outstanding request`);
      return;
    }
    let outcome: Outcome;
    if (code === CONF_REJ) {
      // RFC 1661 §5.4: a Reject lists a subset of our options, unchanged and in order.
      if (!isOrderedSubset(options, req.options)) {
        this.o.log.debug(
          `${this.o.name}: ignored Configure-Reject id=0x${id.toString(16)}: not a subset of our request`,
        );
        return;
      }
      req.answered = true;
      this.rcvdNaks = 0;
      outcome = this.o.policy.applyReject(options);
    } else {
      req.answered = true;
      this.rcvdNaks++;
      // Past Max-Failure Naks in a row, drop what the peer keeps Nak-ing rather than loop (as pppd does).
      outcome =
        this.rcvdNaks >= this.limits.maxFailure ? this.o.policy.applyReject(options) : this.o.policy.applyNak(options);
    }
    if (outcome === 'abort') return;
    this.event('RCN', { sta });
  }

  private rcodeRej(rejected: Buffer): void {
    const code = rejected[0];
    // Without Configure or Terminate the automaton cannot work at all: that is RXJ-.
    if (code !== undefined && code >= CONF_REQ && code <= TERM_ACK) return this.event('RXJ-');
    if (code !== undefined) this.o.policy.codeRejected?.(code);
    this.event('RXJ+');
  }

  private timeout(): void {
    this.timer = undefined;
    this.event(this.restartCount > 0 ? 'TO+' : 'TO-');
  }

  // ---- actions (RFC 1661 §4.4) ----

  /** Run the table's actions for an event, then enter the state it returns. */
  private event(ev: Exclude<PppEvent, 'RXR'>, replies: Replies = {}): void {
    if (this.done) return;
    const from = this.st;
    this.pendingUp = false;
    this.pendingFinish = undefined;
    const to = TABLE[ev](from, this.actions(ev, replies));
    if (this.done) return;
    this.st = to;
    if (!TIMED.has(to)) this.cancelTimer();
    this.o.hooks.transition?.(ev, from, to);
    const finish = this.pendingFinish;
    const up = this.pendingUp;
    this.pendingUp = false;
    this.pendingFinish = undefined;
    if (up && !this.done) this.o.hooks.up();
    if (finish !== undefined && !this.done) this.o.hooks.finished(finish);
  }

  /** The §4.4 actions for one event; the sends that answer a packet come bound to it in `replies`. */
  private actions(ev: PppEvent, replies: Replies): Actions {
    return {
      tlu: () => (this.pendingUp = true),
      tld: () => this.o.hooks.down(ev),
      tls: () => this.o.hooks.started(),
      tlf: () => (this.pendingFinish = ev),
      irc: (terminate) => {
        this.restartCount = terminate ? this.limits.maxTerminate : this.limits.maxConfigure;
      },
      zrc: () => {
        this.restartCount = 0;
        this.startTimer();
      },
      scr: (retransmit) => this.scr(retransmit),
      sca: () => replies.sca?.(),
      scn: () => replies.scn?.(),
      str: () => this.str(),
      sta: () => replies.sta?.(),
      scj: () => replies.scj?.(),
      illegal: () => {
        this.o.log.debug(`${this.o.name}: event ${ev} is not expected in state ${this.st}`);
        return this.st;
      },
    };
  }

  /** Send-Configure-Request. A retransmission repeats the same identifier and bytes. */
  private scr(retransmit = false): void {
    if (!NEGOTIATING.has(this.st)) {
      // A fresh negotiation: the failure counters start over.
      this.sentNaks = 0;
      this.rcvdNaks = 0;
    }
    if (!retransmit || !this.request) {
      const options = this.o.policy.buildRequest();
      this.request = { id: this.nextId(), options, bytes: encodeOptions(options), answered: false };
    } else {
      // The peer may answer the repeat (same id) even if it already answered the original.
      this.request.answered = false;
    }
    this.o.hooks.send({ code: CONF_REQ, id: this.request.id, data: this.request.bytes });
    this.restartCount--;
    this.startTimer();
  }

  private sca(id: number, options: readonly ConfigOption[], raw: Buffer): void {
    this.sentNaks = 0;
    this.o.policy.peerAccepted(options);
    this.o.hooks.send({ code: CONF_ACK, id, data: raw });
  }

  private str(): void {
    this.o.hooks.send({ code: TERM_REQ, id: this.nextId(), data: Buffer.alloc(0) });
    this.restartCount--;
    this.startTimer();
  }

  private sta(id: number): void {
    this.o.hooks.send({ code: TERM_ACK, id, data: Buffer.alloc(0) });
  }

  /** RFC 1661 §5.6 Code-Reject: the rejected packet, truncated to the peer's MRU. */
  private scj(packet: ControlPacket): void {
    const rejected = encodeControl(packet);
    const room = Math.max(0, (this.o.peerMru?.() ?? 1500) - CONTROL_HEADER_BYTES);
    this.o.hooks.send({ code: CODE_REJ, id: this.nextId(), data: rejected.subarray(0, room) });
  }

  private startTimer(): void {
    this.cancelTimer();
    if (this.done) return;
    this.timer = this.o.clock.after(this.limits.restartMs, () => {
      if (!this.done) this.timeout();
    });
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

/** True when every option in `sub` appears in `all` with the same type, in the same order. */
function isOrderedSubset(sub: readonly ConfigOption[], all: readonly ConfigOption[]): boolean {
  let at = 0;
  for (const s of sub) {
    while (at < all.length && all[at]?.type !== s.type) at++;
    if (at === all.length) return false;
    at++;
  }
  return true;
}
