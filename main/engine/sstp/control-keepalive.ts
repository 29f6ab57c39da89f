// Liveness of an established SSTP call (MS-SSTP §3.1.2.2.2 hello timer): an ECHO_REQUEST after an
// interval of receive silence, a dead peer after a second one, and on-demand probes (after a resume or
// a network change). Owned by SstpClientControl, which sends the echoes and turns a dead peer into
// its own CALL_ABORT; time comes from the same injected Clock.
import type { Clock, TimerHandle } from '../clock.js';
import type { SessionFailure } from '../failure.js';
import * as failures from './control-failures.js';

export interface KeepaliveOptions {
  readonly clock: Clock;
  /** Receive silence before an ECHO_REQUEST; the same again without traffic is a dead peer. */
  readonly intervalMs: number;
  /** Sends one ECHO_REQUEST. */
  readonly sendEcho: () => void;
  /** The peer did not answer: the call must fail with this (dead-peer) failure. */
  readonly onDead: (failure: SessionFailure) => void;
}

export class SstpKeepalive {
  /** Between start() and stop(): a hello tick that fires outside it does nothing. */
  private running = false;
  private helloTimer: TimerHandle | undefined;
  private lastReceive = 0;
  private echoSentAt: number | undefined;
  /** A probe in flight (probe()): settled by the next ECHO_RESPONSE, or a dead peer at its deadline. */
  private probing:
    { readonly timer: TimerHandle; readonly answered: Promise<boolean>; settle(ok: boolean): void } | undefined;

  constructor(private readonly opts: KeepaliveOptions) {}

  /** Any received packet, data or control, proves the peer alive. Cheap: called on the data path. */
  noteReceive(): void {
    this.lastReceive = this.opts.clock.now();
  }

  /** The call is up (CALL_CONNECTED sent): start the hello timer. */
  start(): void {
    this.running = true;
    this.echoSentAt = undefined;
    this.armHello(this.opts.intervalMs);
  }

  /** An ECHO_RESPONSE: the answer a probe in flight waits for. */
  echoResponse(): void {
    this.settleProbe(true);
  }

  /**
   * An ECHO_REQUEST that must be answered by an ECHO_RESPONSE within timeoutMs, or onDead. A second
   * probe while one is in flight shares it. The caller checks that the call is up.
   */
  probe(timeoutMs: number): Promise<boolean> {
    if (this.probing) return this.probing.answered;
    let settle!: (ok: boolean) => void;
    const answered = new Promise<boolean>((resolve) => (settle = resolve));
    const timer = this.opts.clock.after(timeoutMs, () => {
      this.settleProbe(false);
      this.opts.onDead(failures.probeUnanswered(timeoutMs));
    });
    this.probing = { timer, answered, settle };
    this.opts.sendEcho();
    return answered;
  }

  /** The call left 'connected' (or was stopped): no more timers, a probe in flight is unanswered. */
  stop(): void {
    this.running = false;
    this.settleProbe(false);
    this.helloTimer?.cancel();
    this.helloTimer = undefined;
  }

  private armHello(delayMs: number): void {
    this.helloTimer?.cancel();
    this.helloTimer = this.opts.clock.after(delayMs, () => this.helloTick());
  }

  // Rather than re-arm a timer per received packet, the timer checks the last receive time when it fires.
  private helloTick(): void {
    this.helloTimer = undefined;
    if (!this.running) return;
    const now = this.opts.clock.now();
    const interval = this.opts.intervalMs;
    if (this.echoSentAt !== undefined && this.lastReceive >= this.echoSentAt) this.echoSentAt = undefined;
    if (this.echoSentAt !== undefined) {
      this.opts.onDead(failures.deadPeer(now - this.lastReceive));
      return;
    }
    const silent = now - this.lastReceive;
    if (silent < interval) {
      this.armHello(interval - silent);
      return;
    }
    this.opts.sendEcho();
    this.echoSentAt = now;
    this.armHello(interval);
  }

  private settleProbe(answered: boolean): void {
    const p = this.probing;
    this.probing = undefined;
    p?.timer.cancel();
    p?.settle(answered);
  }
}
