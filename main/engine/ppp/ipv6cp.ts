// IPv6CP policy (RFC 5072). Only the 64-bit Interface-Identifier is negotiated; the prefix comes
// later by Router Advertisement. Identifiers are random and non-zero, never equal to the peer's.
import { INTERFACE_ID_BYTES, IPV6CP_INTERFACE_ID, formatInterfaceId } from './ipv6cp-options.js';
import type { ConfigOption } from './options.js';
import type { Judgement, NegotiationPolicy, Outcome, Verdict } from './policy.js';
import type { RandomBytes } from './random.js';
import { randomNonZeroBytes } from './random.js';

export interface Ipv6Negotiated {
  /** Our interface identifier, e.g. "21a:2bff:fe3c:4d5e" (append to "fe80::"). */
  readonly localInterfaceId: string;
  /** The server's, if it announced one. */
  readonly peerInterfaceId: string | null;
}

export class Ipv6cpPolicy implements NegotiationPolicy {
  private local: Buffer;
  private rejected = false;
  /** The last identifier the peer asked for, so ours never collides with it. */
  private peerSeen: Buffer | undefined;
  private peer: Buffer | undefined;

  constructor(private readonly random: RandomBytes) {
    this.local = randomNonZeroBytes(random, INTERFACE_ID_BYTES);
  }

  get negotiated(): Ipv6Negotiated {
    return {
      localInterfaceId: formatInterfaceId(this.local),
      peerInterfaceId: this.peer ? formatInterfaceId(this.peer) : null,
    };
  }

  buildRequest(): readonly ConfigOption[] {
    return this.rejected ? [] : [{ type: IPV6CP_INTERFACE_ID, data: Buffer.from(this.local) }];
  }

  requestAcked(): void {}

  judgeRequest(options: readonly ConfigOption[]): Judgement {
    return { kind: 'verdicts', verdicts: options.map((o) => this.judge(o)) };
  }

  private judge(o: ConfigOption): Verdict {
    if (o.type !== IPV6CP_INTERFACE_ID || o.data.length !== INTERFACE_ID_BYTES) return { kind: 'reject' };
    this.peerSeen = Buffer.from(o.data);
    // RFC 5072 §4.1: a zero identifier, or one equal to ours, is Nak'd with a fresh non-zero one
    // different from ours.
    if (o.data.every((b) => b === 0) || o.data.equals(this.local)) {
      const suggestion = randomNonZeroBytes(this.random, INTERFACE_ID_BYTES, [this.local]);
      return { kind: 'nak', suggest: { type: IPV6CP_INTERFACE_ID, data: suggestion } };
    }
    return { kind: 'ack' };
  }

  peerAccepted(options: readonly ConfigOption[]): void {
    const o = options.find((x) => x.type === IPV6CP_INTERFACE_ID);
    this.peer = o ? Buffer.from(o.data) : undefined;
  }

  applyNak(options: readonly ConfigOption[]): Outcome {
    const o = options.find((x) => x.type === IPV6CP_INTERFACE_ID);
    if (!o || this.rejected) return 'ok';
    const avoid = this.peerSeen ? [this.peerSeen] : [];
    // RFC 5072 §4.1: take the suggestion if it is usable, otherwise pick another of our own.
    const usable =
      o.data.length === INTERFACE_ID_BYTES && o.data.some((b) => b !== 0) && !avoid.some((a) => a.equals(o.data));
    this.local = usable
      ? Buffer.from(o.data)
      : randomNonZeroBytes(this.random, INTERFACE_ID_BYTES, [...avoid, this.local]);
    return 'ok';
  }

  applyReject(options: readonly ConfigOption[]): Outcome {
    // Without the option our identifier is unannounced but still ours to use.
    if (options.some((o) => o.type === IPV6CP_INTERFACE_ID)) this.rejected = true;
    return 'ok';
  }
}
