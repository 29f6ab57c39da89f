// Choosing the authentication method at LCP time. The server proposes one method per
// Configure-Request; we Ack it if the profile allows it and prefers nothing we have not suggested
// yet, otherwise Nak toward the profile's most preferred untried method. Servers differ: RRAS follows our suggestion, SoftEther walks its own list (EAP →
// MS-CHAPv2 → PAP) whatever we suggest. We give up once the server starts repeating itself after
// we have suggested everything we allow, or when Max-Failure Naks went unheeded.
import type { AuthMethod } from '../config.js';
import { authOption, methodName, offerName, readAuthOffer } from './lcp-options.js';
import type { AuthOffer } from './lcp-options.js';
import type { ConfigOption } from './options.js';

export type AuthJudgement =
  | { readonly kind: 'ack'; readonly method: AuthMethod }
  | { readonly kind: 'nak'; readonly suggest: ConfigOption }
  | { readonly kind: 'refused'; readonly refusal: AuthRefusal };

export interface AuthRefusal {
  /** For a person: what the server offers, what the profile allows, what to do. */
  readonly message: string;
  /** For the log. */
  readonly detail: string;
}

export class AuthNegotiation {
  /** What the server has offered, by display name, in order of first appearance. */
  private readonly offered = new Map<string, AuthOffer>();
  private readonly suggested = new Set<AuthMethod>();
  private lastRequestId: number | undefined;
  private lastSuggestion: AuthMethod | undefined;
  /** Whether the server's latest offer was one we accept. */
  private settled = false;

  constructor(private readonly allowed: readonly AuthMethod[]) {}

  /** True while the server's latest offer is one we Nak'd: a Terminate or timeout then means "no common method". */
  get disagreed(): boolean {
    return !this.settled && this.lastSuggestion !== undefined;
  }

  judge(o: ConfigOption, requestId: number, naksExhausted: boolean): AuthJudgement {
    const offer: AuthOffer = readAuthOffer(o, this.allowed) ?? {
      kind: 'unsupported',
      label: 'a malformed authentication option',
    };
    if (offer.kind === 'method' && this.allowed.includes(offer.method)) {
      // An allowed method is accepted unless the profile prefers one we have not suggested yet:
      // SoftEther proposes EAP first but only speaks EAP-TLS there, while MS-CHAPv2 works.
      const better = this.allowed.slice(0, this.allowed.indexOf(offer.method)).find((m) => !this.suggested.has(m));
      const retransmission = requestId === this.lastRequestId && this.lastSuggestion !== undefined;
      if (better !== undefined && !naksExhausted && !retransmission) {
        this.settled = false;
        this.lastRequestId = requestId;
        this.suggested.add(better);
        this.lastSuggestion = better;
        if (!this.offered.has(offerName(offer))) this.offered.set(offerName(offer), offer);
        return { kind: 'nak', suggest: authOption(better) };
      }
      if (retransmission && better !== undefined && !naksExhausted && this.lastSuggestion !== undefined) {
        return { kind: 'nak', suggest: authOption(this.lastSuggestion) };
      }
      this.settled = true;
      return { kind: 'ack', method: offer.method };
    }
    this.settled = false;

    // The same request again (the server's restart timer fired before our Nak arrived): same answer.
    if (requestId === this.lastRequestId && this.lastSuggestion !== undefined && !naksExhausted) {
      return { kind: 'nak', suggest: authOption(this.lastSuggestion) };
    }
    const name = offerName(offer);
    const repeated = this.offered.has(name);
    if (!repeated) this.offered.set(name, offer);
    this.lastRequestId = requestId;

    const untried = this.allowed.find((m) => !this.suggested.has(m));
    const suggestion = untried ?? this.allowed[0];
    if (naksExhausted || suggestion === undefined || (repeated && untried === undefined)) {
      return { kind: 'refused', refusal: this.refusal() };
    }
    this.suggested.add(suggestion);
    this.lastSuggestion = suggestion;
    return { kind: 'nak', suggest: authOption(suggestion) };
  }

  refusal(): AuthRefusal {
    const offers = [...this.offered.values()];
    const offerNames = offers.map(offerName);
    const allowedNames = this.allowed.map(methodName);
    const usable = offers.flatMap((o) => (o.kind === 'method' ? [methodName(o.method)] : []));
    const head = `The server offers only ${joinOr(offerNames)}`;
    const message =
      usable.length > 0
        ? `${head}; this profile allows ${joinOr(allowedNames)} — allow ${joinOr(usable)} in the profile or ask the administrator.`
        : `${head}, which Causeway does not support; this profile allows ${joinOr(allowedNames)} — ask the administrator to enable one of these.`;
    const detail = `LCP auth: server offered ${offerNames.join(', ') || 'nothing'}; profile allows ${this.allowed.join(', ')}`;
    return { message, detail };
  }
}

function joinOr(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? 'nothing';
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
