// The RFC 1661 §4.1 state transition table, written once as data-free functions: given the current
// state and the §4.4 actions, run the actions the table names for the event and return the next
// state. The Automaton (automaton.ts) decides which event a packet or timer is, binds the actions to
// the packet at hand and owns the counters and timer; this file never sees a packet or a clock.
import type { PppEvent, State } from './automaton-types.js';

/** The RFC 1661 §4.4 actions, bound by the Automaton to the event being processed. */
export interface Actions {
  /** This-Layer-Up (deferred until the new state is entered). */
  tlu(): void;
  /** This-Layer-Down, with the event as its cause. */
  tld(): void;
  /** This-Layer-Started. */
  tls(): void;
  /** This-Layer-Finished (deferred until the new state is entered), with the event as its cause. */
  tlf(): void;
  /** Initialize-Restart-Count: Max-Terminate when `terminate`, else Max-Configure. */
  irc(terminate: boolean): void;
  /** Zero-Restart-Count (and start the timer, to give the peer time to see our Terminate-Ack). */
  zrc(): void;
  /** Send-Configure-Request; `retransmit` repeats the outstanding one (same identifier and bytes). */
  scr(retransmit?: boolean): void;
  /** Send-Configure-Ack for the received request. */
  sca(): void;
  /** Send-Configure-Nak or -Reject for the received request. */
  scn(): void;
  /** Send-Terminate-Request. */
  str(): void;
  /** Send-Terminate-Ack for the received packet's identifier. */
  sta(): void;
  /** Send-Code-Reject for the received packet. */
  scj(): void;
  /** An event the table marks impossible in this state: logged, the state kept. */
  illegal(): State;
}

export type Transition = (st: State, a: Actions) => State;

/** RCR+, RCR-, RCA and RCN in the states that answer without negotiating (RFC 1661 §4.1 columns 0-5). */
function idleReceive(st: State, a: Actions, ackClosedStopped: boolean): State {
  switch (st) {
    case 'closed':
      a.sta();
      return st;
    case 'stopped':
      if (ackClosedStopped) a.sta();
      return st;
    default:
      return st;
  }
}

export const TABLE: Readonly<Record<Exclude<PppEvent, 'RXR'>, Transition>> = {
  Up: (st, a) => {
    switch (st) {
      case 'initial':
        return 'closed';
      case 'starting':
        a.irc(false);
        a.scr();
        return 'req-sent';
      default:
        return a.illegal();
    }
  },

  Down: (st, a) => {
    switch (st) {
      case 'closed':
      case 'closing':
        return 'initial';
      case 'stopped':
        a.tls();
        return 'starting';
      case 'stopping':
      case 'req-sent':
      case 'ack-rcvd':
      case 'ack-sent':
        return 'starting';
      case 'opened':
        a.tld();
        return 'starting';
      default:
        return a.illegal();
    }
  },

  Open: (st, a) => {
    switch (st) {
      case 'initial':
        a.tls();
        return 'starting';
      case 'closed':
        a.irc(false);
        a.scr();
        return 'req-sent';
      // The "restart option" (Down/Up on Open in Stopped/Stopping/Closing) is not used: SSTP
      // has no lower layer to bounce.
      case 'closing':
        return 'stopping';
      default:
        return st;
    }
  },

  Close: (st, a) => {
    switch (st) {
      case 'starting':
        a.tlf();
        return 'initial';
      case 'stopped':
        return 'closed';
      case 'stopping':
        return 'closing';
      case 'req-sent':
      case 'ack-rcvd':
      case 'ack-sent':
        a.irc(true);
        a.str();
        return 'closing';
      case 'opened':
        a.tld();
        a.irc(true);
        a.str();
        return 'closing';
      default:
        return st;
    }
  },

  'TO+': (st, a) => {
    switch (st) {
      case 'closing':
      case 'stopping':
        a.str();
        return st;
      case 'req-sent':
      case 'ack-rcvd':
        a.scr(true);
        return 'req-sent';
      case 'ack-sent':
        a.scr(true);
        return 'ack-sent';
      default:
        return st;
    }
  },

  'TO-': (st, a) => {
    switch (st) {
      case 'closing':
        a.tlf();
        return 'closed';
      case 'stopping':
      case 'req-sent':
      case 'ack-rcvd':
      case 'ack-sent':
        a.tlf();
        return 'stopped';
      default:
        return st;
    }
  },

  'RCR+': (st, a) => {
    switch (st) {
      case 'stopped':
        a.irc(false);
        a.scr();
        a.sca();
        return 'ack-sent';
      case 'req-sent':
      case 'ack-sent':
        a.sca();
        return 'ack-sent';
      case 'ack-rcvd':
        a.sca();
        a.tlu();
        return 'opened';
      case 'opened':
        a.tld();
        a.scr();
        a.sca();
        return 'ack-sent';
      default:
        // Closed answers with Terminate-Ack; Closing, Stopping and the lower-layer-down states ignore it.
        return idleReceive(st, a, false);
    }
  },

  'RCR-': (st, a) => {
    switch (st) {
      case 'stopped':
        a.irc(false);
        a.scr();
        a.scn();
        return 'req-sent';
      case 'req-sent':
      case 'ack-sent':
        a.scn();
        return 'req-sent';
      case 'ack-rcvd':
        a.scn();
        return 'ack-rcvd';
      case 'opened':
        a.tld();
        a.scr();
        a.scn();
        return 'req-sent';
      default:
        return idleReceive(st, a, false);
    }
  },

  RCA: (st, a) => {
    switch (st) {
      case 'req-sent':
        a.irc(false);
        return 'ack-rcvd';
      case 'ack-rcvd':
        a.scr();
        return 'req-sent';
      case 'ack-sent':
        a.irc(false);
        a.tlu();
        return 'opened';
      case 'opened':
        a.tld();
        a.scr();
        return 'req-sent';
      default:
        // Closed and Stopped answer a stray Ack with Terminate-Ack.
        return idleReceive(st, a, true);
    }
  },

  RCN: (st, a) => {
    switch (st) {
      case 'req-sent':
        a.irc(false);
        a.scr();
        return 'req-sent';
      case 'ack-rcvd':
        a.scr();
        return 'req-sent';
      case 'ack-sent':
        a.irc(false);
        a.scr();
        return 'ack-sent';
      case 'opened':
        a.tld();
        a.scr();
        return 'req-sent';
      default:
        return idleReceive(st, a, true);
    }
  },

  RTR: (st, a) => {
    switch (st) {
      case 'closed':
      case 'stopped':
      case 'closing':
      case 'stopping':
        a.sta();
        return st;
      case 'req-sent':
      case 'ack-rcvd':
      case 'ack-sent':
        a.sta();
        return 'req-sent';
      case 'opened':
        a.tld();
        a.zrc();
        a.sta();
        return 'stopping';
      default:
        return st;
    }
  },

  RTA: (st, a) => {
    switch (st) {
      case 'closing':
        a.tlf();
        return 'closed';
      case 'stopping':
        a.tlf();
        return 'stopped';
      case 'ack-rcvd':
        return 'req-sent';
      case 'opened':
        a.tld();
        a.scr();
        return 'req-sent';
      default:
        return st;
    }
  },

  RUC: (st, a) => {
    switch (st) {
      case 'initial':
      case 'starting':
        return st;
      default:
        a.scj();
        return st;
    }
  },

  'RXJ+': (st) => (st === 'ack-rcvd' ? 'req-sent' : st),

  'RXJ-': (st, a) => {
    switch (st) {
      case 'closed':
      case 'closing':
        a.tlf();
        return 'closed';
      case 'stopped':
      case 'stopping':
      case 'req-sent':
      case 'ack-rcvd':
      case 'ack-sent':
        a.tlf();
        return 'stopped';
      case 'opened':
        a.tld();
        a.irc(true);
        a.str();
        return 'stopping';
      default:
        return st;
    }
  },
};
