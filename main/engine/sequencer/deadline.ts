// The whole-connect deadline (docs/protocol.md §6: 60 s from TCP connect to IPv4 up). Authentication
// is not counted: the clock pauses when it begins and resumes, with the time that was left, when it
// succeeds, because sign-in has its own, longer limit (authWaitMs, long enough for an MFA push).
import type { Clock, TimerHandle } from '../clock.js';

export class NegotiationDeadline {
  private timer: TimerHandle | undefined;
  private deadline = 0;
  /** Time left while paused; undefined when running or never paused. */
  private left: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly expired: () => void,
  ) {}

  arm(ms: number): void {
    this.timer?.cancel();
    this.deadline = this.clock.now() + ms;
    this.timer = this.clock.after(ms, this.expired);
  }

  /** Authentication began: stop counting, remember what was left (at least 1 ms). */
  pause(): void {
    this.timer?.cancel();
    this.left = Math.max(1, this.deadline - this.clock.now());
  }

  /** Authentication succeeded: count on from where pause() stopped. `stillConnecting` false: nothing to resume. */
  resume(stillConnecting: boolean): void {
    if (this.left !== undefined && stillConnecting) this.arm(this.left);
    this.left = undefined;
  }

  cancel(): void {
    this.timer?.cancel();
  }
}
