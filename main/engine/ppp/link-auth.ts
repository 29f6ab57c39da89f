// The PPP link's authentication phase: one Authenticator at a time, the context it runs in (the
// wait the server may take, e.g. for an MFA push), and who may still talk to it once the link is up.
import type { Clock } from '../clock.js';
import type { AuthMethod, Credentials } from '../config.js';
import { DEFAULT_AUTH_WAIT_MS } from '../config.js';
import type { SessionFailure } from '../failure.js';
import type { Logger } from '../log.js';
import type { Authenticator, AuthenticatorContext, AuthenticatorFactory } from './auth/authenticator.js';
import type { PppLinkEvent } from './link-events.js';
import * as why from './link-failures.js';
import { PPP_CHAP } from './protocols.js';

export interface AuthPhaseOptions {
  readonly factory: AuthenticatorFactory;
  readonly credentials: Credentials;
  readonly waitMs?: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** Whether the link is in the phase where `protocol` may be sent or received (see listening()). */
  readonly inAuthPhase: () => boolean;
  readonly inNetworkPhase: () => boolean;
  readonly sendInfo: (protocol: number, packet: Buffer) => void;
  readonly succeeded: (hlak: Buffer) => void;
  readonly fail: (f: SessionFailure) => void;
  readonly emit: (ev: PppLinkEvent) => void;
}

export class AuthPhase {
  private current: Authenticator | undefined;

  constructor(private readonly o: AuthPhaseOptions) {}

  get method(): AuthMethod | undefined {
    return this.current?.method;
  }

  get protocol(): number | undefined {
    return this.current?.protocol;
  }

  start(method: AuthMethod): void {
    const waitMs = this.o.waitMs ?? DEFAULT_AUTH_WAIT_MS;
    const ctx: AuthenticatorContext = {
      credentials: this.o.credentials,
      send: (protocol, packet) => {
        if (this.listening(protocol)) this.o.sendInfo(protocol, packet);
      },
      succeed: (result) => this.o.succeeded(result.hlak),
      fail: (f) => this.o.fail(f),
      log: this.o.log,
      clock: this.o.clock,
      waitMs,
    };
    let auth: Authenticator;
    try {
      auth = this.o.factory(method, ctx);
    } catch (e) {
      return this.o.fail(why.authenticatorNotStarted(method, e));
    }
    this.current = auth;
    // Before start(): a UI may show "approve the sign-in" with this deadline while the server is quiet.
    this.o.emit({ type: 'auth-pending', method, waitMs });
    if (this.current === auth) auth.start();
  }

  /** One packet of an authentication protocol; false when nobody is listening for it. */
  receive(protocol: number, info: Buffer): boolean {
    const auth = this.current;
    if (!auth || auth.protocol !== protocol || !this.listening(protocol)) return false;
    auth.receive(info);
    return true;
  }

  /** Authentication is done: PAP and EAP end here; CHAP keeps answering re-challenges. */
  done(): void {
    if (this.current?.protocol !== PPP_CHAP) this.stop();
  }

  stop(): void {
    this.current?.stop();
    this.current = undefined;
  }

  /**
   * CHAP servers may re-challenge at any time once the link is up (RFC 1994 §2.1; accel-ppp's
   * chap-interval): a CHAP authenticator keeps answering in the network phase. PAP and EAP end at success.
   */
  private listening(protocol: number): boolean {
    return this.o.inAuthPhase() || (this.o.inNetworkPhase() && protocol === PPP_CHAP);
  }
}
