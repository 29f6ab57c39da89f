// What a protocol (LCP, IPCP, IPv6CP) tells the shared automaton: its wishes and its judgement.
// The automaton owns states, timers, identifiers and reply shapes; a policy owns only meaning.
import type { ConfigOption } from './options.js';
import type { PppControlMessage } from './packet.js';

/** The policy's answer to one option of the peer's Configure-Request. */
export type Verdict =
  { readonly kind: 'ack' } | { readonly kind: 'nak'; readonly suggest: ConfigOption } | { readonly kind: 'reject' };

/**
 * The policy's answer to a whole Configure-Request: one verdict per option in order, or 'abort'
 * when the policy has already reported a fatal failure and nothing should be sent.
 */
export type Judgement =
  { readonly kind: 'verdicts'; readonly verdicts: readonly Verdict[] } | { readonly kind: 'abort' };

export type Outcome = 'ok' | 'abort';

export interface NegotiationPolicy {
  /** Options for our next Configure-Request, in the order to send them. */
  buildRequest(): readonly ConfigOption[];
  /** The peer acknowledged exactly our last request. */
  requestAcked(options: readonly ConfigOption[]): void;
  /**
   * Judge the peer's request. `naksExhausted` is true once Max-Failure Naks have gone unanswered
   * by an Ack: the automaton then turns Naks into Rejects, and a policy may prefer to give up.
   */
  judgeRequest(
    options: readonly ConfigOption[],
    ctx: { readonly id: number; readonly naksExhausted: boolean },
  ): Judgement;
  /** We acknowledged this request of the peer: these are now its negotiated options. */
  peerAccepted(options: readonly ConfigOption[]): void;
  /** Adjust our wishes after a Configure-Nak. */
  applyNak(options: readonly ConfigOption[]): Outcome;
  /** Drop the rejected wishes after a Configure-Reject (or a Nak past Max-Failure). */
  applyReject(options: readonly ConfigOption[]): Outcome;
  /** Codes beyond 1..7 (LCP: Protocol-Reject, Echo, Discard). 'unknown' makes the automaton Code-Reject. */
  handleCode?(message: PppControlMessage, opened: boolean): 'handled' | 'unknown';
  /** The peer Code-Rejected one of our codes that is not essential to negotiation. */
  codeRejected?(code: number): void;
}
