// LCP policy (RFC 1661 §6): what we ask for (MRU, Magic-Number), how we judge the server's
// request (MRU within SSTP's limit, Magic-Number loop detection, the authentication method the
// profile allows; everything else rejected), and LCP's extra codes (Protocol-Reject, Echo, Discard).
import type { AuthMethod } from '../config.js';
import { failure } from '../failure.js';
import type { SessionFailure } from '../failure.js';
import type { Logger } from '../log.js';
import { AuthNegotiation } from './lcp-auth.js';
import { LCP_AUTH, LCP_MAGIC, LCP_MRU, readAuthOffer } from './lcp-options.js';
import { u16Of, u16Option, u32Of, u32Option } from './options.js';
import type { ConfigOption } from './options.js';
import { ECHO_REP, ECHO_REQ, encodeMessage } from './packet.js';
import type { PppControlMessage, ControlPacket } from './packet.js';
import type { Judgement, NegotiationPolicy, Outcome, Verdict } from './policy.js';
import type { RandomBytes } from './random.js';
import { randomNonZeroU32 } from './random.js';

/** RFC 1661 §6.1: the MRU every implementation must accept when none is negotiated. */
export const DEFAULT_MRU = 1500;
/** The smallest peer MRU we agree to send with (the IPv4 minimum datagram). */
export const MIN_PEER_MRU = 576;
/** An SSTP packet's 12-bit length caps everything at 4095 bytes. */
export const MAX_MRU = 4095;
/** The smallest MRU we will ask for when the peer Naks ours. */
const MIN_OWN_MRU = 128;
/** Our Magic-Number coming back this many times in the peer's requests means a looped-back link. */
const LOOPBACK_LIMIT = 3;

export interface LcpNegotiated {
  /** What the peer may send us (our MRU as acknowledged). */
  readonly mru: number;
  /** What we may send the peer. */
  readonly peerMru: number;
  /** The method the peer will authenticate us with; null when it asked for none. */
  readonly authMethod: AuthMethod | null;
  /** Our Magic-Number, or 0 when it was not negotiated (RFC 1661 §6.4: then we send zero). */
  readonly magic: number;
}

export interface LcpPolicyOptions {
  readonly mru: number;
  readonly authMethods: readonly AuthMethod[];
  readonly random: RandomBytes;
  readonly log: Logger;
  /** Send an LCP packet outside negotiation (Echo-Reply). */
  readonly send: (packet: ControlPacket) => void;
  /** The peer Protocol-Rejected one of our protocols. */
  readonly protocolRejected: (protocol: number) => void;
  /** The peer Code-Rejected Echo-Request: stop sending them. */
  readonly echoRejected: () => void;
  readonly fail: (f: SessionFailure) => void;
}

export class LcpPolicy implements NegotiationPolicy {
  private wantMru: number | null;
  private magic: number;
  private magicRejected = false;
  private loopbacks = 0;
  private readonly auth: AuthNegotiation;
  private agreed: { mru: number; peerMru: number; authMethod: AuthMethod | null } = {
    mru: DEFAULT_MRU,
    peerMru: DEFAULT_MRU,
    authMethod: null,
  };

  constructor(private readonly o: LcpPolicyOptions) {
    this.wantMru = Math.min(Math.max(o.mru, MIN_OWN_MRU), MAX_MRU);
    this.magic = randomNonZeroU32(o.random);
    this.auth = new AuthNegotiation(o.authMethods);
  }

  get negotiated(): LcpNegotiated {
    return { ...this.agreed, magic: this.magicRejected ? 0 : this.magic };
  }

  /** Why negotiation broke down, if it was over the authentication method. */
  authDisagreement(): SessionFailure | undefined {
    if (!this.auth.disagreed) return undefined;
    const r = this.auth.refusal();
    return failure('lcp', 'auth-method-refused', r.message, { detail: r.detail });
  }

  buildRequest(): readonly ConfigOption[] {
    const out: ConfigOption[] = [];
    if (this.wantMru !== null) out.push(u16Option(LCP_MRU, this.wantMru));
    if (!this.magicRejected) out.push(u32Option(LCP_MAGIC, this.magic));
    return out;
  }

  requestAcked(options: readonly ConfigOption[]): void {
    const mru = options.find((x) => x.type === LCP_MRU);
    this.agreed = { ...this.agreed, mru: (mru && u16Of(mru)) ?? DEFAULT_MRU };
  }

  judgeRequest(
    options: readonly ConfigOption[],
    ctx: { readonly id: number; readonly naksExhausted: boolean },
  ): Judgement {
    // A Reject answers only the rejected options, so the peer never sees a Nak we might compute
    // alongside it: judge the stateful options (auth choice, loop detection) only when nothing is rejected.
    const unwanted = options.map((o) => !this.negotiable(o));
    if (unwanted.some(Boolean)) {
      return { kind: 'verdicts', verdicts: unwanted.map((u): Verdict => (u ? { kind: 'reject' } : { kind: 'ack' })) };
    }
    const verdicts: Verdict[] = [];
    for (const opt of options) {
      const v = this.judge(opt, ctx.id, ctx.naksExhausted);
      if (v === 'abort') return { kind: 'abort' };
      verdicts.push(v);
    }
    return { kind: 'verdicts', verdicts };
  }

  /**
   * MRU, Authentication-Protocol and Magic-Number, well formed. Everything else is rejected:
   * PFC, ACFC and ACCM because SSTP framing is fixed; Callback, MRRU and Endpoint-Discriminator
   * because callback and multilink make no sense over one TLS connection; unknown options by rule.
   */
  private negotiable(opt: ConfigOption): boolean {
    switch (opt.type) {
      case LCP_MRU:
        return opt.data.length === 2;
      case LCP_AUTH:
        return opt.data.length >= 2;
      case LCP_MAGIC:
        return opt.data.length === 4;
      default:
        return false;
    }
  }

  private judge(opt: ConfigOption, id: number, naksExhausted: boolean): Verdict | 'abort' {
    switch (opt.type) {
      case LCP_MRU: {
        const v = u16Of(opt);
        if (v === undefined) return { kind: 'reject' };
        if (v > MAX_MRU) return { kind: 'nak', suggest: u16Option(LCP_MRU, MAX_MRU) };
        if (v < MIN_PEER_MRU) return { kind: 'nak', suggest: u16Option(LCP_MRU, MIN_PEER_MRU) };
        return { kind: 'ack' };
      }
      case LCP_AUTH: {
        const j = this.auth.judge(opt, id, naksExhausted);
        if (j.kind === 'ack') return { kind: 'ack' };
        if (j.kind === 'nak') return { kind: 'nak', suggest: j.suggest };
        this.o.fail(failure('lcp', 'auth-method-refused', j.refusal.message, { detail: j.refusal.detail }));
        return 'abort';
      }
      case LCP_MAGIC: {
        const v = u32Of(opt);
        if (v === undefined) return { kind: 'reject' };
        // RFC 1661 §6.4: zero is illegal and always Nak'd; equal to ours may mean our own request came back.
        if (v !== 0 && (this.magicRejected || v !== this.magic)) return { kind: 'ack' };
        if (v !== 0) {
          this.loopbacks++;
          if (this.loopbacks >= LOOPBACK_LIMIT) {
            this.o.fail(
              failure(
                'lcp',
                'ppp-negotiation-failed',
                'The link is looped back: our own PPP packets come back to us. Check the server address.',
                {
                  detail: `LCP Magic-Number 0x${v.toString(16)} received ${this.loopbacks} times`,
                },
              ),
            );
            return 'abort';
          }
        }
        let suggestion = randomNonZeroU32(this.o.random);
        while (suggestion === this.magic) suggestion = randomNonZeroU32(this.o.random);
        return { kind: 'nak', suggest: u32Option(LCP_MAGIC, suggestion) };
      }
      default:
        return { kind: 'reject' };
    }
  }

  peerAccepted(options: readonly ConfigOption[]): void {
    const mru = options.find((x) => x.type === LCP_MRU);
    const auth = options.find((x) => x.type === LCP_AUTH);
    // We only Ack an allowed method, so what we accepted is the method to run.
    const offer = auth && readAuthOffer(auth, this.o.authMethods);
    const authMethod = offer?.kind === 'method' ? offer.method : null;
    this.agreed = { ...this.agreed, peerMru: (mru && u16Of(mru)) ?? DEFAULT_MRU, authMethod };
  }

  applyNak(options: readonly ConfigOption[]): Outcome {
    for (const opt of options) {
      if (opt.type === LCP_MRU && this.wantMru !== null) {
        const v = u16Of(opt);
        // An MRU only limits what the peer sends us; we can take any sensible value it prefers.
        if (v !== undefined && v >= MIN_OWN_MRU && v <= MAX_MRU) this.wantMru = v;
        else this.wantMru = null;
      } else if (opt.type === LCP_MAGIC && !this.magicRejected) {
        // RFC 1661 §6.4: a Nak of our Magic-Number calls for a new random one, whatever it suggests.
        this.magic = randomNonZeroU32(this.o.random);
      } else {
        this.o.log.debug(`LCP: ignoring the peer's suggestion of option ${opt.type}`);
      }
    }
    return 'ok';
  }

  applyReject(options: readonly ConfigOption[]): Outcome {
    for (const opt of options) {
      if (opt.type === LCP_MRU) this.wantMru = null;
      else if (opt.type === LCP_MAGIC) this.magicRejected = true;
    }
    return 'ok';
  }

  handleCode(m: PppControlMessage, opened: boolean): 'handled' | 'unknown' {
    switch (m.kind) {
      case 'protocol-reject':
        // RFC 1661 §5.7: only meaningful in the Opened state.
        if (opened) this.o.protocolRejected(m.protocol);
        return 'handled';
      case 'echo':
        // RFC 1661 §5.8: Echo packets outside Opened are silently discarded (SoftEther sends them early).
        if (opened && m.code === ECHO_REQ) {
          const ours = this.negotiated.magic;
          if (ours !== 0 && m.magic === ours)
            this.o.log.warn('LCP: Echo-Request carries our own Magic-Number; the link may be looped back');
          this.o.send(encodeMessage({ kind: 'echo', code: ECHO_REP, id: m.id, magic: ours, data: m.data }));
        }
        return 'handled';
      case 'other':
        // RFC 1570 Identification (12) and Time-Remaining (13) are informational: Windows sends them.
        return m.code === 12 || m.code === 13 ? 'handled' : 'unknown';
      default:
        return 'unknown';
    }
  }

  codeRejected(code: number): void {
    if (code === ECHO_REQ) this.o.echoRejected();
  }
}
