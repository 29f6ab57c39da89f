// Notices that time passed without us: the process was frozen (SIGSTOP, a debugger, a swapped-out
// laptop) or the machine slept. A tick every intervalMs compares the monotonic clock with the
// expected interval (late ticks: frozen — Linux's CLOCK_MONOTONIC runs on while a process is
// stopped) and with the wall clock (CLOCK_MONOTONIC stops during suspend, the wall clock does not).
// Either means connections may be dead without a byte said, so the caller checks them.
import type { Clock, TimerHandle } from './clock.js';

export interface ClockJump {
  /** 'frozen': this process did not run for frozenMs; 'wall': the wall clock moved apart from the monotonic one. */
  readonly kind: 'frozen' | 'wall';
  readonly ms: number;
}

export interface ClockJumpOptions {
  /** Timers (clock.after); its now() is not used: wall and monotonic come in on their own. */
  readonly clock: Clock;
  readonly wall: () => number;
  readonly monotonic: () => number;
  readonly onJump: (jump: ClockJump) => void;
  /** Tick period (default 1 s). */
  readonly intervalMs?: number;
  /** How far off a tick may be before it counts (default 2 s: a busy event loop is not a freeze). */
  readonly slackMs?: number;
}

/** Pure decision for one tick, given what both clocks moved since the last one. */
export function judgeTick(
  monoElapsed: number,
  wallElapsed: number,
  intervalMs: number,
  slackMs: number,
): ClockJump | undefined {
  const late = monoElapsed - intervalMs;
  if (late > slackMs) return { kind: 'frozen', ms: Math.round(late) };
  const skew = wallElapsed - monoElapsed;
  if (Math.abs(skew) > slackMs) return { kind: 'wall', ms: Math.round(skew) };
  return undefined;
}

/** Starts ticking; stop() ends it. */
export function watchClockJumps(o: ClockJumpOptions): { stop(): void } {
  const intervalMs = o.intervalMs ?? 1_000;
  const slackMs = o.slackMs ?? 2_000;
  let lastMono = o.monotonic();
  let lastWall = o.wall();
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    const mono = o.monotonic();
    const wall = o.wall();
    const jump = judgeTick(mono - lastMono, wall - lastWall, intervalMs, slackMs);
    lastMono = mono;
    lastWall = wall;
    if (jump) o.onJump(jump);
    if (!stopped) timer = o.clock.after(intervalMs, tick);
  };
  timer = o.clock.after(intervalMs, tick);
  return {
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
