// What a PppLink is built from: the session's settings and its seams (clock, log, send, events).
import type { Clock } from '../clock.js';
import type { AuthMethod, Credentials } from '../config.js';
import type { LogSink } from '../log.js';
import type { AuthenticatorFactory } from './auth/authenticator.js';
import type { AutomatonLimits } from './automaton.js';
import type { PppLinkEvent } from './link-events.js';
import type { RandomBytes } from './random.js';

export interface PppLinkConfig {
  /** Allowed methods in preference order; never empty. */
  readonly authMethods: readonly AuthMethod[];
  readonly credentials: Credentials;
  readonly ipv6: boolean;
  /** The MRU we ask for. */
  readonly mru: number;
  /** When set, LCP Echo-Requests detect a dead server within two intervals of silence (once authenticated). */
  readonly echoIntervalMs?: number;
  /** How long authentication may wait for the server (an MFA push); default DEFAULT_AUTH_WAIT_MS. */
  readonly authWaitMs?: number;
}

export interface PppLinkOptions {
  readonly config: PppLinkConfig;
  readonly clock: Clock;
  /** Log lines go out tagged with the phase they belong to (lcp, auth, ipcp, ipv6cp). */
  readonly log: LogSink;
  /** One full PPP frame (FF 03 protocol information) for an SSTP data packet. */
  readonly send: (frame: Buffer) => void;
  readonly authenticatorFactory: AuthenticatorFactory;
  readonly onEvent: (ev: PppLinkEvent) => void;
  /** Tests only: scripted randomness and automaton limits. */
  readonly random?: RandomBytes;
  readonly limits?: AutomatonLimits;
}
