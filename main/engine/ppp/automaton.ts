// The RFC 1661 §4 option-negotiation automaton, shared by LCP, IPCP and IPv6CP. It owns states,
// events, the restart timer and counters, identifiers, and the shape of Ack/Nak/Reject replies;
// each protocol supplies only a NegotiationPolicy (what to ask for, how to judge the peer).
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../log.js';
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
import type { CodeSet, ControlPacket } from './packet.js';
import type { NegotiationPolicy, Outcome } from './policy.js';

export type State =
  | 'initial'
  | 'starting'
  | 'closed'
  | 'stopped'
  | 'closing'
  | 'stopping'
  | 'req-sent'
  | 'ack-rcvd'
  | 'ack-sent'
  | 'opened';

export type PppEvent =
  | 'Up'
  | 'Down'
  | 'Open'
  | 'Close'
  | 'TO+'
  | 'TO-'
  | 'RCR+'
  | 'RCR-'
  | 'RCA'
  | 'RCN'
  | 'RTR'
  | 'RTA'
  | 'RUC'
  | 'RXJ+'
  | 'RXJ-'
  | 'RXR';

export interface AutomatonLimits {
  readonly restartMs: number;
  readonly maxConfigure: number;
  readonly maxTerminate: number;
  readonly maxFailure: number;
}

/** RFC 1661 §4.6 suggested values. */
export const RFC1661_LIMITS: AutomatonLimits = { restartMs: 3000, maxConfigure: 10, maxTerminate: 2, maxFailure: 5 };

export interface AutomatonHooks {
  /** Send one control packet of this protocol. */
  send(packet: ControlPacket): void;
  /** This-Layer-Up: the automaton entered Opened. */
  up(): void;
  /** This-Layer-Down: the automaton left Opened, because of `cause`. */
  down(cause: PppEvent): void;
  /** This-Layer-Started: the lower layer is needed. */
  started(): void;
  /** This-Layer-Finished: negotiation is over (Closed, Stopped or Initial), because of `cause`. */
  finished(cause: PppEvent): void;
  /** Every event, after its actions ran (for the owner's bookkeeping and for tests). */
  transition?(event: PppEvent, from: State, to: State): void;
}

export interface AutomatonOptions {
  /** "LCP", "IPCP", "IPV6CP": used in log lines and decode errors. */
  readonly name: string;
  readonly codes: CodeSet;
  readonly policy: NegotiationPolicy;
  readonly hooks: AutomatonHooks;
  readonly clock: Clock;
  readonly log: Logger;
  readonly limits?: AutomatonLimits;
  /** The peer's MRU, to truncate Code-Rejects; 1500 until LCP has negotiated one. */
  readonly peerMru?: () => number;
}

const TIMED: ReadonlySet<State> = new Set<State>(['closing', 'stopping', 'req-sent', 'ack-rcvd', 'ack-sent']);
const NEGOTIATING: ReadonlySet<State> = new Set<State>(['req-sent', 'ack-rcvd', 'ack-sent']);

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
  private halted = false;
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
    this.halted = true;
    this.cancelTimer();
  }

  // ---- administrative and lower-layer events ----

  up(): void {
    this.event('Up', () => {
      switch (this.st) {
        case 'initial':
          return 'closed';
        case 'starting':
          this.irc(false);
          this.scr();
          return 'req-sent';
        default:
          return this.illegal('Up');
      }
    });
  }

  down(): void {
    this.event('Down', () => {
      switch (this.st) {
        case 'closed':
        case 'closing':
          return 'initial';
        case 'stopped':
          this.o.hooks.started();
          return 'starting';
        case 'stopping':
        case 'req-sent':
        case 'ack-rcvd':
        case 'ack-sent':
          return 'starting';
        case 'opened':
          this.o.hooks.down('Down');
          return 'starting';
        default:
          return this.illegal('Down');
      }
    });
  }

  open(): void {
    this.event('Open', () => {
      switch (this.st) {
        case 'initial':
          this.o.hooks.started();
          return 'starting';
        case 'closed':
          this.irc(false);
          this.scr();
          return 'req-sent';
        // The "restart option" (Down/Up on Open in Stopped/Stopping/Closing) is not used: SSTP
        // has no lower layer to bounce.
        case 'closing':
          return 'stopping';
        default:
          return this.st;
      }
    });
  }

  close(): void {
    this.event('Close', () => {
      switch (this.st) {
        case 'starting':
          this.tlf('Close');
          return 'initial';
        case 'stopped':
          return 'closed';
        case 'stopping':
          return 'closing';
        case 'req-sent':
        case 'ack-rcvd':
        case 'ack-sent':
          this.irc(true);
          this.str();
          return 'closing';
        case 'opened':
          this.o.hooks.down('Close');
          this.irc(true);
          this.str();
          return 'closing';
        default:
          return this.st;
      }
    });
  }

  /** RXJ from outside: LCP received a Protocol-Reject naming this protocol. */
  rejectedByPeer(acceptable: boolean): void {
    if (acceptable) this.rxjPlus();
    else this.rxjMinus();
  }

  // ---- receive ----

  receive(packet: ControlPacket): void {
    if (this.halted) return;
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
        return m.code === TERM_REQ ? this.rtr(m.id) : this.rta();
      case 'code-reject':
        return this.rcodeRej(m.rejected);
      default: {
        const handled = this.o.policy.handleCode?.(m, this.st === 'opened') ?? 'unknown';
        if (handled === 'unknown') this.ruc(packet);
        return;
      }
    }
  }

  private rcr(id: number, options: readonly ConfigOption[], raw: Buffer): void {
    switch (this.st) {
      case 'closed':
        return this.event('RCR+', () => (this.sta(id), 'closed'));
      case 'closing':
      case 'stopping':
      case 'initial':
      case 'starting':
        return this.event('RCR+', () => this.st);
    }
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
    if (reply === undefined) {
      this.event('RCR+', () => {
        switch (this.st) {
          case 'stopped':
            this.irc(false);
            this.scr();
            this.sca(id, options, raw);
            return 'ack-sent';
          case 'req-sent':
          case 'ack-sent':
            this.sca(id, options, raw);
            return 'ack-sent';
          case 'ack-rcvd':
            this.sca(id, options, raw);
            this.tlu();
            return 'opened';
          case 'opened':
            this.o.hooks.down('RCR+');
            this.scr();
            this.sca(id, options, raw);
            return 'ack-sent';
          default:
            return this.st;
        }
      });
    } else {
      const scn = () => {
        if (reply.code === CONF_NAK) this.sentNaks++;
        this.o.hooks.send(reply);
      };
      this.event('RCR-', () => {
        switch (this.st) {
          case 'stopped':
            this.irc(false);
            this.scr();
            scn();
            return 'req-sent';
          case 'req-sent':
          case 'ack-sent':
            scn();
            return 'req-sent';
          case 'ack-rcvd':
            scn();
            return 'ack-rcvd';
          case 'opened':
            this.o.hooks.down('RCR-');
            this.scr();
            scn();
            return 'req-sent';
          default:
            return this.st;
        }
      });
    }
  }

  private rca(id: number, raw: Buffer): void {
    switch (this.st) {
      case 'closed':
      case 'stopped':
        return this.event('RCA', () => (this.sta(id), this.st));
      case 'closing':
      case 'stopping':
      case 'initial':
      case 'starting':
        return this.event('RCA', () => this.st);
    }
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
    this.event('RCA', () => {
      switch (this.st) {
        case 'req-sent':
          this.irc(false);
          return 'ack-rcvd';
        case 'ack-rcvd':
          this.scr();
          return 'req-sent';
        case 'ack-sent':
          this.irc(false);
          this.tlu();
          return 'opened';
        case 'opened':
          this.o.hooks.down('RCA');
          this.scr();
          return 'req-sent';
        default:
          return this.st;
      }
    });
  }

  private rcnOrRej(code: typeof CONF_NAK | typeof CONF_REJ, id: number, options: readonly ConfigOption[]): void {
    switch (this.st) {
      case 'closed':
      case 'stopped':
        return this.event('RCN', () => (this.sta(id), this.st));
      case 'closing':
      case 'stopping':
      case 'initial':
      case 'starting':
        return this.event('RCN', () => this.st);
    }
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
    this.event('RCN', () => {
      switch (this.st) {
        case 'req-sent':
          this.irc(false);
          this.scr();
          return 'req-sent';
        case 'ack-rcvd':
          this.scr();
          return 'req-sent';
        case 'ack-sent':
          this.irc(false);
          this.scr();
          return 'ack-sent';
        case 'opened':
          this.o.hooks.down('RCN');
          this.scr();
          return 'req-sent';
        default:
          return this.st;
      }
    });
  }

  private rtr(id: number): void {
    this.event('RTR', () => {
      switch (this.st) {
        case 'closed':
        case 'stopped':
        case 'closing':
        case 'stopping':
          this.sta(id);
          return this.st;
        case 'req-sent':
        case 'ack-rcvd':
        case 'ack-sent':
          this.sta(id);
          return 'req-sent';
        case 'opened':
          this.o.hooks.down('RTR');
          this.zrc();
          this.sta(id);
          return 'stopping';
        default:
          return this.st;
      }
    });
  }

  private rta(): void {
    this.event('RTA', () => {
      switch (this.st) {
        case 'closing':
          this.tlf('RTA');
          return 'closed';
        case 'stopping':
          this.tlf('RTA');
          return 'stopped';
        case 'ack-rcvd':
          return 'req-sent';
        case 'opened':
          this.o.hooks.down('RTA');
          this.scr();
          return 'req-sent';
        default:
          return this.st;
      }
    });
  }

  private rcodeRej(rejected: Buffer): void {
    const code = rejected[0];
    // Without Configure or Terminate the automaton cannot work at all: that is RXJ-.
    if (code !== undefined && code >= CONF_REQ && code <= TERM_ACK) return this.rxjMinus();
    if (code !== undefined) this.o.policy.codeRejected?.(code);
    this.rxjPlus();
  }

  private ruc(packet: ControlPacket): void {
    this.event('RUC', () => {
      switch (this.st) {
        case 'initial':
        case 'starting':
          return this.st;
        default: {
          // RFC 1661 §5.6: the rejected packet, truncated to the peer's MRU.
          const rejected = encodeControl(packet);
          const room = Math.max(0, (this.o.peerMru?.() ?? 1500) - CONTROL_HEADER_BYTES);
          this.o.hooks.send({ code: CODE_REJ, id: this.nextId(), data: rejected.subarray(0, room) });
          return this.st;
        }
      }
    });
  }

  private rxjPlus(): void {
    this.event('RXJ+', () => (this.st === 'ack-rcvd' ? 'req-sent' : this.st));
  }

  private rxjMinus(): void {
    this.event('RXJ-', () => {
      switch (this.st) {
        case 'closed':
        case 'closing':
          this.tlf('RXJ-');
          return 'closed';
        case 'stopped':
        case 'stopping':
        case 'req-sent':
        case 'ack-rcvd':
        case 'ack-sent':
          this.tlf('RXJ-');
          return 'stopped';
        case 'opened':
          this.o.hooks.down('RXJ-');
          this.irc(true);
          this.str();
          return 'stopping';
        default:
          return this.st;
      }
    });
  }

  private timeout(): void {
    this.timer = undefined;
    if (this.restartCount > 0) {
      this.event('TO+', () => {
        switch (this.st) {
          case 'closing':
          case 'stopping':
            this.str();
            return this.st;
          case 'req-sent':
          case 'ack-rcvd':
            this.scr(true);
            return 'req-sent';
          case 'ack-sent':
            this.scr(true);
            return 'ack-sent';
          default:
            return this.st;
        }
      });
    } else {
      this.event('TO-', () => {
        switch (this.st) {
          case 'closing':
            this.tlf('TO-');
            return 'closed';
          case 'stopping':
          case 'req-sent':
          case 'ack-rcvd':
          case 'ack-sent':
            this.tlf('TO-');
            return 'stopped';
          default:
            return this.st;
        }
      });
    }
  }

  // ---- actions (RFC 1661 §4.4) ----

  /** Run an event's actions, then enter the state they return. */
  private event(ev: PppEvent, actions: () => State): void {
    if (this.halted) return;
    const from = this.st;
    this.pendingUp = false;
    this.pendingFinish = undefined;
    const to = actions();
    if (this.halted) return;
    this.st = to;
    if (!TIMED.has(to)) this.cancelTimer();
    this.o.hooks.transition?.(ev, from, to);
    const finish = this.pendingFinish;
    const up = this.pendingUp;
    this.pendingUp = false;
    this.pendingFinish = undefined;
    if (up && !this.halted) this.o.hooks.up();
    if (finish !== undefined && !this.halted) this.o.hooks.finished(finish);
  }

  private illegal(ev: PppEvent): State {
    this.o.log.debug(`${this.o.name}: event ${ev} is not expected in state ${this.st}`);
    return this.st;
  }

  private irc(terminate: boolean): void {
    this.restartCount = terminate ? this.limits.maxTerminate : this.limits.maxConfigure;
  }

  private zrc(): void {
    this.restartCount = 0;
    this.startTimer();
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

  private tlu(): void {
    this.pendingUp = true;
  }

  private tlf(cause: PppEvent): void {
    this.pendingFinish = cause;
  }

  private startTimer(): void {
    this.cancelTimer();
    if (this.halted) return;
    this.timer = this.o.clock.after(this.limits.restartMs, () => {
      if (!this.halted) this.timeout();
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
