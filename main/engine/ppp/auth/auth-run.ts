// The lifecycle every authenticator shares: exactly one succeed, at most one fail, one timer slot,
// and silence after stop(). Keeping it here means no authenticator can report twice or leak a timer.
import type { TimerHandle } from '../../clock.js';
import { DEFAULT_AUTH_WAIT_MS } from '../../config.js';
import type { SessionFailure } from '../../failure.js';
import type { Logger } from '../../log.js';
import type { AuthenticatorContext } from './authenticator.js';
import { authTimeout } from './failures.js';

type RunState = 'running' | 'succeeded' | 'done';

export class AuthRun {
  private state: RunState = 'running';
  private timer: TimerHandle | undefined;

  constructor(private readonly ctx: AuthenticatorContext) {}

  get log(): Logger {
    return this.ctx.log;
  }

  /** True until the outcome is known. */
  get running(): boolean {
    return this.state === 'running';
  }

  /** True until failure or stop(): after success, re-challenges are still answered. */
  get live(): boolean {
    return this.state !== 'done';
  }

  send(protocol: number, packet: Buffer): void {
    if (this.live) this.ctx.send(protocol, packet);
  }

  /** (Re)arms the single timer; replaces any pending one. Ignored once done. */
  setTimer(ms: number, fn: () => void): void {
    this.clearTimer();
    if (!this.live) return;
    this.timer = this.ctx.clock.after(ms, () => {
      this.timer = undefined;
      if (this.live) fn();
    });
  }

  /**
   * (Re)arms the wait for the server's next packet: the context's waitMs, then an authTimeout
   * naming the limit. Nothing is resent meanwhile — a second Response could make the server start
   * a second RADIUS request and so abort the MFA push the user is about to approve.
   */
  waitForServer(method: string): void {
    if (!this.running) return;
    const ms = this.ctx.waitMs ?? DEFAULT_AUTH_WAIT_MS;
    this.setTimer(ms, () => this.fail(authTimeout(method, ms)));
  }

  clearTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  succeed(hlak: Buffer): void {
    if (this.state !== 'running') return;
    this.state = 'succeeded';
    this.clearTimer();
    this.ctx.succeed({ hlak });
  }

  fail(f: SessionFailure): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.clearTimer();
    this.ctx.fail(f);
  }

  stop(): void {
    this.state = 'done';
    this.clearTimer();
  }
}

/** PAP and CHAP-MD5 carry no keys: MS-SSTP binds them with an all-zero HLAK. */
export function zeroHlak(): Buffer {
  return Buffer.alloc(32);
}
