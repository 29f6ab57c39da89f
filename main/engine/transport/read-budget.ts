// Keeps the event loop responsive when a server sends more than we can process at once. libuv hands
// over up to 32 socket reads of 64 KB per loop iteration and TLS decrypts them synchronously, so a
// stream of tiny frames (100 000 empty SSTP data packets fit in 400 KB) would otherwise be processed
// in one go, blocking timers, the UI bridge and every other connection for as long as it takes.
// The reader learns what a byte costs (IP data: little; a flood of empty frames: ~1000x more) and hands
// over as much as fits in `budgetMs` per turn, so cheap data passes in whole chunks and a flood in
// small slices; when a turn is used up it pauses the socket and yields, then resumes once caught up.
// Ordering is kept: bytes reach `consume` in the order they arrived. Writes made while a turn's bytes
// are consumed (Protocol-Rejects, echo replies) can be corked into one, instead of one TLS record and
// one write completion each.

export interface ReadBudgetOptions {
  /** Hand bytes to the SSTP deframer. */
  readonly consume: (bytes: Buffer) => void;
  readonly pause: () => void;
  readonly resume: () => void;
  /** Hold and release the socket's writes around one turn of consuming (socket.cork/uncork). */
  readonly cork?: () => void;
  readonly uncork?: () => void;
  /** Work per event-loop turn before yielding. */
  readonly budgetMs?: number;
  /** The most handed over before the cost of these bytes is known (≈ 500 tiny frames). */
  readonly probeBytes?: number;
  /** The least handed over at once, however costly bytes are. */
  readonly minSliceBytes?: number;
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
  private stopped = false;
  /** ms of work per byte, last seen: IP data costs ~1000x less per byte than a flood of empty frames. */
  private costPerByte = -1;
  /** When this event-loop iteration's work began: many 'data' events share one budget. */
  private windowStart = -1;
  private readonly budgetMs: number;
  private readonly probeBytes: number;
  private readonly minSliceBytes: number;
  private readonly now: () => number;
  private readonly defer: (fn: () => void) => void;

  constructor(private readonly o: ReadBudgetOptions) {
    this.budgetMs = o.budgetMs ?? 2;
    this.probeBytes = o.probeBytes ?? 4096;
    this.minSliceBytes = o.minSliceBytes ?? 256;
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
    this.o.cork?.();
    try {
      this.turn();
    } finally {
      this.o.uncork?.();
    }
  }

  /** The budget is per event-loop iteration (libuv hands over many reads in one), not per chunk. */
  private window(): number {
    if (this.windowStart >= 0) return this.windowStart;
    const start = this.now();
    this.windowStart = start;
    this.defer(() => (this.windowStart = -1));
    return start;
  }

  private turn(): void {
    const start = this.window();
    while (this.queue.length > 0) {
      if (this.stopped) return;
      const head = this.queue[0] as Buffer;
      const end = Math.min(head.length, this.offset + this.sliceSize(this.budgetMs - (this.now() - start)));
      const bytes = this.offset === 0 && end === head.length ? head : head.subarray(this.offset, end);
      if (end === head.length) {
        this.queue.shift();
        this.offset = 0;
      } else this.offset = end;
      const t0 = this.now();
      this.o.consume(bytes);
      this.learn(bytes.length, this.now() - t0);
      if (this.now() - start >= this.budgetMs && this.queue.length > 0) return this.yieldTurn();
    }
    if (this.paused && !this.stopped) {
      this.paused = false;
      this.o.resume();
    }
  }

  /** As many bytes as fit in what is left of the turn, at the cost seen so far. */
  private sliceSize(leftMs: number): number {
    if (this.costPerByte < 0) return this.probeBytes;
    if (this.costPerByte === 0) return Number.MAX_SAFE_INTEGER;
    return Math.max(this.minSliceBytes, Math.floor(Math.max(leftMs, 0) / this.costPerByte));
  }

  // The last slice's cost, as is: a flood's frames must shrink the next slice at once, and IP data
  // after a flood must get whole chunks back at once. A noisy sample costs one small slice at most.
  private learn(bytes: number, ms: number): void {
    if (bytes < 64) return; // too few to say anything about the cost
    this.costPerByte = Math.max(ms, 0) / bytes;
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
