// A deliberately small server-side Configure-Request/Ack/Nak/Reject exchange (RFC 1661 §5.1–5.4)
// for the strict peer. It is not the engine's automaton: TCP loses nothing, so there are no restart
// timers, and it checks the client's replies harder than a product would (exact echoes, ids).
import {
  CONF_ACK,
  CONF_NAK,
  CONF_REJ,
  CONF_REQ,
  CODE_REJ,
  TERM_ACK,
  TERM_REQ,
  decodeControl,
  encodeControl,
} from '../../main/engine/ppp/packet.js';
import { decodeOptions, encodeOptions, sameOption, type ConfigOption } from '../../main/engine/ppp/options.js';
import type { PeerLink } from './peer-link.js';

export type PeerVerdict =
  { readonly kind: 'ack' } | { readonly kind: 'nak'; readonly suggest: ConfigOption } | { readonly kind: 'reject' };

export interface NegotiationHooks {
  /** Our Configure-Request options, in order. */
  request(): ConfigOption[];
  /** The client NAKed these of ours: adjust. Return false to give up (the hook has reported why). */
  nak(options: readonly ConfigOption[]): boolean;
  /** The client rejected these of ours (already checked to be exact copies). Return false to give up. */
  reject(options: readonly ConfigOption[]): boolean;
  /** The client acknowledged our request. */
  acked(options: readonly ConfigOption[]): void;
  judge(options: readonly ConfigOption[]): PeerVerdict[];
  /** Codes beyond 1..7 (LCP echo, Protocol-Reject …); true when handled. */
  otherCode?(code: number, id: number, data: Buffer): boolean;
  /** The client sent Terminate-Request. */
  terminated?(): void;
  describe(o: ConfigOption): string;
}

const MAX_REQUESTS = 10;

export class PeerNegotiator {
  private nextId = 1;
  private lastRequest: { readonly id: number; readonly options: readonly ConfigOption[] } | undefined;
  private requests = 0;
  private weAcked = false;
  private theyAcked = false;
  private isOpen = false;
  private gaveUp = false;

  constructor(
    private readonly link: PeerLink,
    private readonly protocol: number,
    private readonly name: string,
    private readonly hooks: NegotiationHooks,
    private readonly onOpened: () => void,
  ) {}

  get opened(): boolean {
    return this.isOpen;
  }

  get started(): boolean {
    return this.lastRequest !== undefined;
  }

  sendRequest(): void {
    if (this.gaveUp) return;
    if (++this.requests > MAX_REQUESTS) {
      this.gaveUp = true;
      this.link.violation(`${this.name} did not converge after ${MAX_REQUESTS} Configure-Requests`, true);
      return;
    }
    const options = this.hooks.request();
    const id = this.nextId++ & 0xff;
    this.lastRequest = { id, options };
    this.theyAcked = false;
    this.send(CONF_REQ, id, encodeOptions(options), `ConfReq ${this.list(options)}`);
  }

  /** Start over from Opened with a fresh Configure-Request: the client must Ack it again and send its own. */
  renegotiate(): void {
    this.isOpen = false;
    this.weAcked = false;
    this.requests = 0;
    this.sendRequest();
  }

  receive(info: Buffer): void {
    const p = decodeControl(info, this.name);
    if (!p.ok) {
      this.link.violation(
        `malformed ${this.name} packet: ${p.error.field}: ${p.error.reason}`,
        true,
        'INVALID_FRAME_RECEIVED',
      );
      return;
    }
    const { code, id, data } = p.value;
    if (code >= CONF_REQ && code <= CONF_REJ) {
      const options = decodeOptions(data, this.name);
      if (!options.ok) {
        this.link.violation(
          `malformed ${this.name} options: ${options.error.field}: ${options.error.reason}`,
          true,
          'INVALID_FRAME_RECEIVED',
        );
        return;
      }
      this.configure(code, id, options.value);
      return;
    }
    switch (code) {
      case TERM_REQ:
        this.link.log.record({ kind: 'ppp-received', protocol: this.protocol, summary: `${this.name} TermReq` });
        this.send(TERM_ACK, id, data, 'TermAck');
        this.isOpen = false;
        this.hooks.terminated?.();
        return;
      case TERM_ACK:
        this.link.log.record({ kind: 'ppp-received', protocol: this.protocol, summary: `${this.name} TermAck` });
        return;
      case CODE_REJ:
        this.link.log.record({ kind: 'ppp-received', protocol: this.protocol, summary: `${this.name} CodeRej` });
        this.link.violation(`the client Code-Rejected ${this.name} code ${data[0] ?? '?'}`, false);
        return;
    }
    if (this.hooks.otherCode?.(code, id, data)) return;
    this.link.log.record({ kind: 'ppp-received', protocol: this.protocol, summary: `${this.name} code ${code}` });
    // RFC 1661 §5.6: an unknown code is answered with Code-Reject carrying the packet.
    this.send(CODE_REJ, this.nextId++ & 0xff, info.subarray(0, Math.min(info.length, 1400)), `CodeRej ${code}`);
  }

  private configure(code: number, id: number, options: readonly ConfigOption[]): void {
    const names = ['', 'ConfReq', 'ConfAck', 'ConfNak', 'ConfRej'];
    this.link.log.record({
      kind: 'ppp-received',
      protocol: this.protocol,
      summary: `${this.name} ${names[code]} id=${id} ${this.list(options)}`,
    });
    if (code === CONF_REQ) {
      this.answer(id, options);
      return;
    }
    const last = this.lastRequest;
    if (last === undefined || id !== last.id) {
      this.link.violation(
        `${this.name} ${names[code]} id ${id} answers no request of ours (last id ${last?.id ?? 'none'})`,
        false,
      );
      return;
    }
    if (code === CONF_ACK) {
      if (!encodeOptions(options).equals(encodeOptions(last.options))) {
        this.link.violation(`${this.name} ConfAck does not echo our request exactly`, true);
        return;
      }
      this.theyAcked = true;
      this.hooks.acked(options);
      this.maybeOpen();
      return;
    }
    if (code === CONF_REJ) {
      for (const o of options) {
        if (!last.options.some((mine) => sameOption(mine, o))) {
          this.link.violation(
            `${this.name} ConfRej carries ${this.hooks.describe(o)}, which we did not send as such`,
            true,
          );
          return;
        }
      }
      if (this.hooks.reject(options)) this.sendRequest();
      return;
    }
    if (this.hooks.nak(options)) this.sendRequest();
  }

  private answer(id: number, options: readonly ConfigOption[]): void {
    // A client that speaks first (or an NCP that starts before we do) still gets our request first.
    if (this.lastRequest === undefined) this.sendRequest();
    const verdicts = this.hooks.judge(options);
    const rejects = options.filter((_, i) => verdicts[i]?.kind === 'reject');
    if (rejects.length > 0) {
      this.weAcked = false;
      this.send(CONF_REJ, id, encodeOptions(rejects), `ConfRej ${this.list(rejects)}`);
      return;
    }
    const naks: ConfigOption[] = [];
    for (const v of verdicts) if (v.kind === 'nak') naks.push(v.suggest);
    if (naks.length > 0) {
      this.weAcked = false;
      this.send(CONF_NAK, id, encodeOptions(naks), `ConfNak ${this.list(naks)}`);
      return;
    }
    this.send(CONF_ACK, id, encodeOptions(options), `ConfAck ${this.list(options)}`);
    this.weAcked = true;
    this.maybeOpen();
  }

  private maybeOpen(): void {
    if (this.isOpen || !this.weAcked || !this.theyAcked) return;
    this.isOpen = true;
    this.onOpened();
  }

  private send(code: number, id: number, data: Buffer, summary: string): void {
    this.link.sendPpp(this.protocol, encodeControl({ code, id, data }), `${this.name} ${summary}`);
  }

  private list(options: readonly ConfigOption[]): string {
    return options.map((o) => `<${this.hooks.describe(o)}>`).join(' ');
  }
}
