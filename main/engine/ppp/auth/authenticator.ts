// The seam between LCP (which negotiates *which* method) and the authentication protocols
// (which run it). The PPP link creates one Authenticator after LCP opens.
import type { Clock } from '../../clock.js';
import type { AuthMethod, Credentials } from '../../config.js';
import type { SessionFailure } from '../../failure.js';
import type { Logger } from '../../log.js';

export interface AuthResult {
  /**
   * Higher-Layer Authentication Key for SSTP crypto binding, 32 bytes (MS-SSTP 3.2.5.2):
   * MS-CHAPv2: MasterSendKey ‖ MasterReceiveKey (client view, RFC 3079);
   * EAP-MSCHAPv2: first 32 bytes of the MSK; PAP and CHAP-MD5: 32 zero bytes.
   */
  readonly hlak: Buffer;
}

export interface AuthenticatorContext {
  readonly credentials: Credentials;
  /** Send one PPP packet of `protocol`; `packet` is the information field (code, id, length, data). */
  send(protocol: number, packet: Buffer): void;
  /** Called once when the server accepted us (and, where the method allows, proved itself). */
  succeed(result: AuthResult): void;
  /** Called once on any failure; the link tears down. Use phase 'auth'. */
  fail(failure: SessionFailure): void;
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * How long to wait for the server's next packet (ms) before failing: an MFA push holds the
   * server's answer until the user approves. Default DEFAULT_AUTH_WAIT_MS; see AuthRun.waitForServer.
   */
  readonly waitMs?: number;
}

export interface Authenticator {
  readonly method: AuthMethod;
  /** PPP protocol this authenticator receives (PPP_PAP, PPP_CHAP or PPP_EAP). */
  readonly protocol: number;
  /** Begin: PAP sends Authenticate-Request (and retransmits); CHAP/EAP wait for the server. */
  start(): void;
  /** One received packet of `protocol` (information field). Never throws on bad bytes. */
  receive(packet: Buffer): void;
  /** Cancel timers; no more calls into the context after this. */
  stop(): void;
}

export type AuthenticatorFactory = (method: AuthMethod, ctx: AuthenticatorContext) => Authenticator;
