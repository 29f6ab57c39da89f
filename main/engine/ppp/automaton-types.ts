// The vocabulary of the RFC 1661 §4 automaton: its states and events, the restart limits, and the
// hooks and options its owner (LCP, IPCP, IPv6CP) passes in. Apart from the class so that the state
// table (automaton-table.ts) and the owners can name these without importing the machine itself.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { CodeSet, ControlPacket } from './packet.js';
import type { NegotiationPolicy } from './policy.js';

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
