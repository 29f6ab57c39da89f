// What every part of the peer's per-connection machinery may do to the connection. The connection
// owns the socket and the timers; negotiators and authenticators only see this.
import type { ControlMessage } from '../../main/engine/sstp/control-packet.js';
import type { StatusName } from '../../main/engine/sstp/constants.js';
import type { EventLog } from './events.js';
import type { PeerScript } from './script.js';

export interface PeerLink {
  readonly script: PeerScript;
  readonly log: EventLog;
  /** Sends one PPP packet (`info` is the control packet; address/control/protocol are added). */
  sendPpp(protocol: number, info: Buffer, summary: string): void;
  sendControl(msg: ControlMessage): void;
  /** A timer that dies with the connection. */
  after(ms: number, fn: () => void): void;
  /** Records a rule the client broke; `fatal` ones end the call with CALL_ABORT when the script enforces. */
  violation(reason: string, fatal: boolean, status?: StatusName): void;
  /** The server's own graceful end: LCP Terminate-Request, then CALL_DISCONNECT. */
  terminate(reason: string): void;
}
