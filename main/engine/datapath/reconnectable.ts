// Which failures are worth retrying on our own, and when the retry runs. Retrying a wrong password or
// an untrusted certificate would only lock the account or hide the problem from the person who must
// decide; retrying while there is no network would only hammer the server once it is back.
import type { Clock, TimerHandle } from '../clock.js';
import type { FailureCode, SessionFailure } from '../failure.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';

export function isReconnectable(code: FailureCode): boolean {
  switch (code) {
    case 'connection-lost':
    case 'dead-peer':
    case 'peer-abort':
    case 'peer-disconnect':
    case 'network-unreachable':
    case 'tls-failed':
    case 'negotiation-timeout':
    case 'protocol-error':
    case 'proxy-failed':
    case 'http-refused':
    case 'sstp-negotiation-failed':
    case 'ppp-negotiation-failed':
    case 'data-path-failed':
      return true;
    case 'auth-failed':
    case 'auth-method-refused':
    case 'server-auth-failed':
    case 'certificate-untrusted':
    case 'certificate-pin-mismatch':
    case 'proxy-auth-failed':
    case 'cancelled':
      return false;
  }
}

/** A reconnect the tunnel owes: which attempt comes next, and why the last session ended. */
export type RetryState =
  | {
      readonly state: 'reconnecting';
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: SessionFailure;
    }
  /** No route to the server: nothing is tried (a SYN could not leave anyway) until one is back. */
  | { readonly state: 'waiting-for-network'; readonly attempt: number; readonly reason: SessionFailure };

export interface RetrySchedulerDeps {
  readonly clock: Clock;
  readonly policy: BackoffPolicy;
  readonly random?: () => number;
  readonly onState: (s: RetryState) => void;
  /** Start attempt `attempt` now. */
  readonly run: (attempt: number) => void;
}

/**
 * When the next reconnect attempt runs: after the backoff, at once when something suggests the
 * network is back (a resume, a new route), and never while there is no route to the server — a
 * loop of attempts then only burns battery and, once the network returns, hammers the server.
 */
export class RetryScheduler {
  private pending: { readonly attempt: number; readonly reason: SessionFailure; timer?: TimerHandle } | undefined;
  private reachable = true;

  constructor(private readonly deps: RetrySchedulerDeps) {}

  /** Whether the server has a route (as last told by network()). */
  get networkReachable(): boolean {
    return this.reachable;
  }

  /** Whether an attempt is owed but not running (backoff or waiting for the network). */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /** A session ended for a reason worth retrying: back off, or wait for the network if there is none. */
  schedule(attempt: number, reason: SessionFailure): void {
    this.cancel();
    const p: { attempt: number; reason: SessionFailure; timer?: TimerHandle } = { attempt, reason };
    this.pending = p;
    if (!this.reachable) {
      this.deps.onState({ state: 'waiting-for-network', attempt, reason });
      return;
    }
    const delayMs = backoffDelay(attempt, this.deps.policy, this.deps.random);
    p.timer = this.deps.clock.after(delayMs, () => this.fire());
    this.deps.onState({ state: 'reconnecting', attempt, delayMs, reason });
  }

  /** Try the owed attempt now instead of after the backoff; not while there is no route. */
  hurry(): boolean {
    const p = this.pending;
    if (!p || !this.reachable) return false;
    p.timer?.cancel();
    this.deps.onState({ state: 'reconnecting', attempt: p.attempt, delayMs: 0, reason: p.reason });
    this.fire();
    return true;
  }

  /** The route to the server went away or came back (or changed). */
  network(reachable: boolean): void {
    const was = this.reachable;
    this.reachable = reachable;
    const p = this.pending;
    if (!p) return;
    if (reachable) {
      this.hurry();
      return;
    }
    p.timer?.cancel();
    p.timer = undefined;
    if (was) this.deps.onState({ state: 'waiting-for-network', attempt: p.attempt, reason: p.reason });
  }

  cancel(): void {
    this.pending?.timer?.cancel();
    this.pending = undefined;
  }

  private fire(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.deps.run(p.attempt);
  }
}
