// Time is injected so state machines can be tested with a manual clock, without wall-clock waits.

export interface TimerHandle {
  cancel(): void;
}

export interface TimerOptions {
  /** A clean-up timer that must not keep the process alive by itself (Node's unref). */
  readonly background?: boolean;
}

export interface Clock {
  now(): number;
  /** Calls fn once after ms. */
  after(ms: number, fn: () => void, options?: TimerOptions): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn, options) {
    const t = setTimeout(fn, ms);
    if (options?.background === true) t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return { cancel: () => void this.timers.delete(id) };
  }

  /** Advance time, firing due timers in order (timers set by fired timers fire too if due). */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= target && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = target;
  }

  get pending(): number {
    return this.timers.size;
  }
}
