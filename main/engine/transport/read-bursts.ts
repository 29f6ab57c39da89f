// The session's side of arena reads (read-arena.ts): each read goes to the reader as a view into the
// arena ("lent"), and once the event loop has handed over the whole burst, the IP batch is flushed
// to its listeners and — if the reader has consumed everything — the arena is told nothing refers to
// those bytes any more. While the reader still holds bytes (its budget ran out) the release waits for
// a later turn. Before the session may lend (the handshake, a diagnostics tap that keeps chunks),
// reads are copied, as Node would have allocated them.
import type { ReadArena } from './read-arena.js';

export interface ReadBurstsOptions {
  readonly arena: ReadArena;
  /** The reader's push (BudgetedReader). */
  readonly push: (bytes: Buffer) => void;
  /** Whether everyone downstream copies what it keeps past the end of the burst. */
  readonly lending: () => boolean;
  /** Deliver the IP packets of this burst now (IpPacketFanout.flushNow). */
  readonly flush: () => void;
  /** The reader still holds bytes for a later turn. */
  readonly backlogged: () => boolean;
  /** Flush and release within a burst once this much was read (and consumed). */
  readonly flushBytes?: number;
  /** Run after the burst (setImmediate); injected for tests. */
  readonly defer?: (fn: () => void) => void;
}

export class ReadBursts {
  private scheduled = false;
  private stopped = false;
  /** Bytes read since the last release. */
  private unreleased = 0;
  private readonly flushBytes: number;
  private readonly defer: (fn: () => void) => void;

  constructor(private readonly o: ReadBurstsOptions) {
    this.defer = o.defer ?? ((fn) => void setImmediate(fn));
    this.flushBytes = o.flushBytes ?? 256 * 1024;
  }

  /** One read: a view valid until the arena's next release. */
  read(bytes: Buffer): void {
    if (this.stopped) return;
    this.o.push(this.o.lending() ? bytes : Buffer.from(bytes));
    this.unreleased += bytes.length;
    // A long burst (the server is ahead of us: libuv hands over up to 32 reads of 64 KB per turn)
    // is cut into parts of flushBytes, so the arena stays a few cache-warm chunks; a part still
    // fills several TUN GSO packets of 64 KB.
    if (this.unreleased >= this.flushBytes && !this.o.backlogged()) this.end();
    else this.schedule();
  }

  /** The connection is over: no more flushes or releases from here. */
  stop(): void {
    this.stopped = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(this.end);
  }

  private readonly end = (): void => {
    this.scheduled = false;
    if (this.stopped) return;
    this.o.flush();
    if (this.o.backlogged()) return this.schedule();
    this.unreleased = 0;
    this.o.arena.release();
  };
}
