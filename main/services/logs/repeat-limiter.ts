// A server decides what the engine logs: every empty SSTP data packet or unknown PPP protocol it
// sends becomes a line. This limiter lets the first few lines of one shape through per window and
// folds the rest into one "N more like this" line when the window ends, so a flood of identical
// packets costs a handful of lines instead of one per packet. Time comes from the injected clock.
import type { Clock, TimerHandle } from '../../engine/clock.js';
import type { LogEntry } from '../../engine/log.js';

export interface RepeatLimits {
  /** Length of one counting window. */
  readonly windowMs: number;
  /** Lines of one shape let through per window before folding starts. */
  readonly burst: number;
  /** Shapes tracked at once; beyond that every new shape shares one bucket per level. */
  readonly maxKeys: number;
}

export const DEFAULT_REPEAT_LIMITS: RepeatLimits = { windowMs: 1_000, burst: 20, maxKeys: 256 };

interface Bucket {
  /** Lines let through since the shape was last quiet for a whole window. */
  passed: number;
  /** Lines folded in the current window. */
  folded: number;
  /** Lines seen in the current window (passed or folded). */
  seen: number;
  last: LogEntry | undefined;
}

// A flood repeats the very same text: remembering recent texts' shapes skips the regexes for it.
const SHAPE_CACHE_SIZE = 512;
const shapes = new Map<string, string>();

/** The shape of a line: numbers, hex, quoted peer text and byte dumps do not make a line new. */
export function templateOf(message: string): string {
  const known = shapes.get(message);
  if (known !== undefined) return known;
  const shape = shapeOf(message);
  if (message.length <= 256) {
    if (shapes.size >= SHAPE_CACHE_SIZE) shapes.clear();
    shapes.set(message, shape);
  }
  return shape;
}

function shapeOf(message: string): string {
  return message
    .slice(0, 200)
    .replace(/"(?:[^"\\]|\\.)*"/g, '"*"')
    .replace(/\b0x[0-9a-f]+\b/gi, '#')
    .replace(/\b[0-9a-f]{2}(?: [0-9a-f]{2})+\b/gi, '#')
    .replace(/\d+/g, '#');
}

export class RepeatLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private timer: TimerHandle | undefined;

  /** `emit` receives the summary lines; they bypass the limiter. */
  constructor(
    private readonly clock: Clock,
    private readonly emit: (summary: LogEntry) => void,
    private readonly limits: RepeatLimits = DEFAULT_REPEAT_LIMITS,
  ) {}

  /** True: log this line. False: it was counted and will be summarised. */
  admit(entry: LogEntry): boolean {
    let key = `${entry.level}|${entry.phase}|${templateOf(entry.message)}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.limits.maxKeys) {
        // Random garbage can have endless shapes; past the limit they are one shape per level.
        key = `${entry.level}|*`;
        bucket = this.buckets.get(key);
      }
      if (!bucket) {
        bucket = { passed: 0, folded: 0, seen: 0, last: undefined };
        this.buckets.set(key, bucket);
      }
    }
    this.arm();
    bucket.seen++;
    if (bucket.passed < this.limits.burst) {
      bucket.passed++;
      return true;
    }
    bucket.folded++;
    bucket.last = entry;
    return false;
  }

  /** Summarise what is pending now (the attempt ends) and stop the timer. */
  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.sweep();
    this.buckets.clear();
  }

  private arm(): void {
    this.timer ??= this.clock.after(this.limits.windowMs, () => {
      this.timer = undefined;
      this.sweep();
      // Keep ticking only while something was logged in the window just ended.
      if (this.buckets.size > 0) this.arm();
    });
  }

  /**
   * End of a window: one summary per folded shape. A shape still flooding gets no new burst (only a
   * summary per window); one quiet for a whole window is forgotten, so its next line shows again.
   */
  private sweep(): void {
    for (const [key, b] of this.buckets) {
      if (b.folded > 0 && b.last) {
        const seconds = (this.limits.windowMs / 1000).toFixed(1);
        this.emit({
          time: this.clock.now(),
          level: b.last.level,
          phase: b.last.phase,
          message: `… ${b.folded} more like this in the last ${seconds} s, the last: ${b.last.message}`,
        });
      }
      if (b.seen === 0) this.buckets.delete(key);
      else {
        b.seen = 0;
        b.folded = 0;
        b.last = undefined;
      }
    }
  }
}
