// One network control protocol (IPCP or IPv6CP) on the shared automaton, reduced to what the link
// needs: it came up, or it is done and why. Once done it halts its automaton and stays silent.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { Automaton } from './automaton.js';
import type { AutomatonLimits, PppEvent, State } from './automaton.js';
import type { ControlPacket } from './packet.js';
import type { NegotiationPolicy } from './policy.js';

export type NcpEnd =
  | 'timeout' // Max-Configure ran out without agreement
  | 'protocol-rejected' // the peer Protocol-Rejected it, or Code-Rejected a basic code
  | 'peer-terminated' // the peer sent Terminate-Request
  | 'renegotiated' // it left Opened because the peer started over
  | 'finished'; // any other way negotiation ended

export interface NcpOptions {
  readonly name: string;
  readonly policy: NegotiationPolicy;
  readonly clock: Clock;
  readonly log: Logger;
  readonly limits?: AutomatonLimits;
  readonly peerMru: () => number;
  readonly send: (packet: ControlPacket) => void;
  readonly up: () => void;
  readonly ended: (end: NcpEnd) => void;
}

export class Ncp {
  private readonly fsm: Automaton;
  private done = false;

  constructor(private readonly o: NcpOptions) {
    this.fsm = new Automaton({
      name: o.name,
      codes: 'ncp',
      policy: o.policy,
      clock: o.clock,
      log: o.log,
      ...(o.limits ? { limits: o.limits } : {}),
      peerMru: o.peerMru,
      hooks: {
        send: o.send,
        up: () => {
          if (!this.done) o.up();
        },
        down: (cause) =>
          this.end(cause === 'RTR' ? 'peer-terminated' : cause === 'RXJ-' ? 'protocol-rejected' : 'renegotiated'),
        started: () => {},
        finished: (cause) => {
          this.end(cause === 'TO-' ? 'timeout' : cause === 'RXJ-' ? 'protocol-rejected' : 'finished');
          this.fsm.halt();
        },
        transition: (ev, from, to) => this.transition(ev, from, to),
      },
    });
  }

  get isOpened(): boolean {
    return !this.done && this.fsm.isOpened;
  }

  get state(): State {
    return this.fsm.state;
  }

  start(): void {
    this.fsm.open();
    this.fsm.up();
  }

  receive(packet: ControlPacket): void {
    if (!this.done) this.fsm.receive(packet);
  }

  /** LCP received a Protocol-Reject for this protocol. */
  protocolRejected(): void {
    if (!this.done) this.fsm.rejectedByPeer(false);
  }

  halt(): void {
    this.done = true;
    this.fsm.halt();
  }

  private transition(ev: PppEvent, from: State, to: State): void {
    this.o.log.debug(`${this.o.name}: ${ev} ${from} → ${to}`);
    // Terminate-Request before Opened leaves the automaton negotiating, but the peer has said no.
    if (ev === 'RTR' && from !== 'opened') this.end('peer-terminated');
    // Halt only now, after the event's own actions (such as our Terminate-Ack) went out.
    if (this.done) this.fsm.halt();
  }

  private end(end: NcpEnd): void {
    if (this.done) return;
    this.done = true;
    this.o.ended(end);
  }
}
