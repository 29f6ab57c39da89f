// Per-phase durations of a connection attempt, for `causeway test` and the benchmarks.
import type { Phase } from './failure.js';

export interface PhaseTiming {
  readonly phase: Phase;
  /** Milliseconds this phase took (from the end of the previous phase). */
  readonly ms: number;
}

export class PhaseClock {
  private readonly list: PhaseTiming[] = [];
  private last: number;

  constructor(private readonly now: () => number) {
    this.last = now();
  }

  /** Marks the end of `phase`. */
  done(phase: Phase): void {
    const t = this.now();
    this.list.push({ phase, ms: t - this.last });
    this.last = t;
  }

  get timings(): readonly PhaseTiming[] {
    return this.list;
  }
}
