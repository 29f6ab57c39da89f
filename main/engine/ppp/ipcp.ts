// IPCP policy (RFC 1332, RFC 1877). We ask for IP-Address 0.0.0.0 and the two DNS servers as
// 0.0.0.0 and take what the server Naks us; a DNS option the server rejects is simply dropped.
// The server's own request may announce its address; everything else it asks for is rejected.
import { IPCP_ADDRESS, IPCP_PRIMARY_DNS, IPCP_SECONDARY_DNS, ipv4Of, ipv4Option } from './ipcp-options.js';
import type { ConfigOption } from './options.js';
import type { Judgement, NegotiationPolicy, Outcome, Verdict } from './policy.js';
import type { Logger } from '../log.js';

const UNSPECIFIED = '0.0.0.0';

export interface Ipv4Negotiated {
  /** Our address as the server acknowledged it; null if it never gave us one. */
  readonly local: string | null;
  /** The server's address if it announced one. */
  readonly peer: string | null;
  /** DNS servers the server gave us (primary first); empty when it rejected or zeroed them. */
  readonly dns: readonly string[];
}

interface Wish {
  readonly type: number;
  value: Buffer;
}

export class IpcpPolicy implements NegotiationPolicy {
  /** What we still ask for, in request order; a rejected option leaves the list. */
  private wishes: Wish[] = [IPCP_ADDRESS, IPCP_PRIMARY_DNS, IPCP_SECONDARY_DNS].map((type) => ({
    type,
    value: Buffer.alloc(4),
  }));
  private local: string | null = null;
  private dns: string[] = [];
  private peer: string | null = null;

  constructor(private readonly log: Logger) {}

  get negotiated(): Ipv4Negotiated {
    return { local: this.local, peer: this.peer, dns: this.dns };
  }

  buildRequest(): readonly ConfigOption[] {
    return this.wishes.map((w) => ipv4Option(w.type, w.value));
  }

  requestAcked(options: readonly ConfigOption[]): void {
    const addressOf = (type: number) => {
      const o = options.find((x) => x.type === type);
      const ip = o && ipv4Of(o);
      return ip === undefined || ip === UNSPECIFIED ? null : ip;
    };
    this.local = addressOf(IPCP_ADDRESS);
    this.dns = [addressOf(IPCP_PRIMARY_DNS), addressOf(IPCP_SECONDARY_DNS)].filter((x): x is string => x !== null);
  }

  judgeRequest(options: readonly ConfigOption[]): Judgement {
    return { kind: 'verdicts', verdicts: options.map((o) => this.judge(o)) };
  }

  private judge(o: ConfigOption): Verdict {
    if (o.type !== IPCP_ADDRESS) return { kind: 'reject' }; // compression, NBNS, DNS-for-them, unknown
    const ip = ipv4Of(o);
    // 0.0.0.0 asks us to assign the server an address (RFC 1332 §3.3). We have none to offer and a
    // Nak must carry one, so, like pppd, we Reject: the server then simply does not announce one.
    if (ip === undefined || ip === UNSPECIFIED) return { kind: 'reject' };
    return { kind: 'ack' };
  }

  peerAccepted(options: readonly ConfigOption[]): void {
    const o = options.find((x) => x.type === IPCP_ADDRESS);
    this.peer = (o && ipv4Of(o)) ?? null;
  }

  applyNak(options: readonly ConfigOption[]): Outcome {
    for (const o of options) {
      const wish = this.wishes.find((w) => w.type === o.type);
      if (wish && o.data.length === 4) wish.value = Buffer.from(o.data);
      else this.log.debug(`IPCP: ignoring the server's suggestion of option ${o.type}`);
    }
    return 'ok';
  }

  applyReject(options: readonly ConfigOption[]): Outcome {
    const gone = new Set(options.map((o) => o.type));
    this.wishes = this.wishes.filter((w) => !gone.has(w.type));
    return 'ok';
  }
}
