// Lines on their way to live views (the renderer, over the contract's `log` event): gathered and
// handed over in batches, at most one batch per `intervalMs` and `maxPerBatch` lines per batch, the
// rest replaced by one "skipped N lines" marker. An idle feed hands over on the next turn of the
// event loop (no added latency for the usual sparse lines); a busy one at the interval. A view
// repaints per batch instead of per line, and a burst still reaches the UI as a bounded count.
import type { Clock, TimerHandle } from '../../engine/clock.js';
import type { LogEntry } from '../../engine/log.js';

export interface LiveFeedLimits {
  readonly intervalMs: number;
  readonly maxPerBatch: number;
}

export const DEFAULT_LIVE_FEED_LIMITS: LiveFeedLimits = { intervalMs: 100, maxPerBatch: 100 };

export type LogListener = (entry: LogEntry) => void;

export class LiveFeed {
  private readonly listeners = new Set<LogListener>();
  private queue: LogEntry[] = [];
  private skipped = 0;
  private lastSkipped: LogEntry | undefined;
  private timer: TimerHandle | undefined;
  private deferred = false;
  private lastFlush = -Infinity;

  /** `defer` runs a function on a later turn of the event loop (injected so tests can drive it). */
  constructor(
    private readonly clock: Clock,
    private readonly limits: LiveFeedLimits = DEFAULT_LIVE_FEED_LIMITS,
    private readonly defer: (fn: () => void) => void = (fn) => void setImmediate(fn),
  ) {}

  /** Called for every entry from now on, batch by batch. Returns the unsubscribe function. */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  push(entry: LogEntry): void {
    if (this.listeners.size === 0) return;
    if (this.queue.length < this.limits.maxPerBatch) this.queue.push(entry);
    else {
      this.skipped++;
      this.lastSkipped = entry;
    }
    this.schedule();
  }

  /** Hands over what is waiting now (also at close, so the last lines are not lost). */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.queue.length === 0 && this.skipped === 0) return;
    this.lastFlush = this.clock.now();
    const batch = this.queue;
    if (this.skipped > 0 && this.lastSkipped) {
      batch.push({
        time: this.clock.now(),
        level: 'info',
        phase: this.lastSkipped.phase,
        message: `skipped ${this.skipped} lines in this live view; the attempt's log file has them (within its limits).`,
      });
    }
    this.queue = [];
    this.skipped = 0;
    this.lastSkipped = undefined;
    for (const entry of batch) {
      for (const l of this.listeners) {
        try {
          l(entry);
        } catch {
          // A broken view must not break logging for the others.
        }
      }
    }
  }

  close(): void {
    this.flush();
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.deferred) return;
    const wait = this.lastFlush + this.limits.intervalMs - this.clock.now();
    if (wait > 0) {
      this.timer = this.clock.after(wait, () => this.flush());
      return;
    }
    this.deferred = true;
    this.defer(() => {
      this.deferred = false;
      // A flush since (close, or the interval timer) may have emptied the queue already.
      if (this.timer === undefined) this.flush();
    });
  }
}
