// Keeps the event loop responsive when a server sends more than we can process at once. libuv hands
// over up to 32 socket reads of 64 KB per loop iteration and TLS decrypts them synchronously, so a
// stream of tiny frames (100 000 empty SSTP data packets fit in 400 KB) would otherwise be processed
// in one go, blocking timers, the UI bridge and every other connection for as long as it takes.
// Chunks pass straight through while they are cheap; once one turn of work passes `budgetMs`, the
// reader pauses the socket, feeds the rest in small slices and yields between turns, then resumes.
// Ordering is kept: bytes reach `consume` in the order they arrived.

export interface ReadBudgetOptions {
  /** Hand bytes to the SSTP deframer. */
  readonly consume: (bytes: Buffer) => void;
  readonly pause: () => void;
  readonly resume: () => void;
  /** Work per event-loop turn before yielding. */
  readonly budgetMs?: number;
  /** Slice size while under pressure (≈ 500 tiny frames). */
  readonly sliceBytes?: number;
  /** A monotonic clock in ms (performance.now); injected for tests. */
  readonly now?: () => number;
  /** Run on a later turn (setImmediate); injected for tests. */
  readonly defer?: (fn: () => void) => void;
}

export class BudgetedReader {
  private readonly queue: Buffer[] = [];
  private offset = 0; // into queue[0]
  private scheduled = false;
  private paused = false;
  private pressure = false;
  private stopped = false;
  private readonly budgetMs: number;
  private readonly sliceBytes: number;
  private readonly now: () => number;
  private readonly defer: (fn: () => void) => void;

  constructor(private readonly o: ReadBudgetOptions) {
    this.budgetMs = o.budgetMs ?? 5;
    this.sliceBytes = o.sliceBytes ?? 4096;
    this.now = o.now ?? (() => performance.now());
    this.defer = o.defer ?? ((fn) => void setImmediate(fn));
  }

  /** True while bytes wait for a later turn (the socket is paused). */
  get backlogged(): boolean {
    return this.queue.length > 0;
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    this.queue.push(chunk);
    if (!this.scheduled) this.drain();
  }

  /** The connection is over: drop what waits, never call consume again. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.offset = 0;
  }

  private drain(): void {
    const start = this.now();
    while (this.queue.length > 0) {
      if (this.stopped) return;
      const head = this.queue[0] as Buffer;
      const end = this.pressure ? Math.min(head.length, this.offset + this.sliceBytes) : head.length;
      const bytes = this.offset === 0 && end === head.length ? head : head.subarray(this.offset, end);
      if (end === head.length) {
        this.queue.shift();
        this.offset = 0;
      } else this.offset = end;
      this.o.consume(bytes);
      if (this.now() - start >= this.budgetMs) {
        this.pressure = true;
        if (this.queue.length > 0) return this.yieldTurn();
      }
    }
    // All caught up within this turn: back to passing chunks straight through.
    if (this.now() - start < this.budgetMs / 2) this.pressure = false;
    if (this.paused && !this.stopped) {
      this.paused = false;
      this.o.resume();
    }
  }

  private yieldTurn(): void {
    if (!this.paused) {
      this.paused = true;
      this.o.pause();
    }
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      if (!this.stopped) this.drain();
    });
  }
}
