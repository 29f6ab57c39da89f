// Where TLS reads land on the data path, instead of a fresh 16 KiB ArrayBuffer per record (what Node
// allocates for every decrypted chunk by default). Measured on loopback TLS (hotpath's endpoint, one
// core, 200 MB): 'data' events 0.92–1.06 CPU-s/GB with ~6 full GCs, a fresh 1 MiB slab per 1 MiB read
// 0.84–0.98 (page faults, cold cache, the same GCs), a few recycled 256 KiB chunks 0.68–0.70 with no
// GC. So reads go into a small set of chunks that are reused once nothing refers to their bytes.
//
// The arena cannot see who still refers to bytes; its owner tells it, with release(), that every
// byte handed out so far is no longer referenced (the session does so at the end of each read burst,
// once the reader has consumed everything and the IP batch has gone to the TUN, which copies). Until
// then a chunk that holds bytes is never written again: the reads that follow go to another chunk
// (a free one, or a new one). Chunks beyond `keep` are left to the GC when released.
//
// Node's `onread` option calls next() for the buffer of each read, then took() with what arrived,
// strictly in turn (net.js onStreamRead: the callback, then the buffer generator).

export interface ReadArenaOptions {
  /** Bytes per chunk. */
  readonly chunkBytes?: number;
  /** A chunk with less room than this left is not used further (a TLS record carries up to 16 KiB). */
  readonly minRegion?: number;
  /** Released chunks kept for reuse; more are dropped. */
  readonly keep?: number;
}

export interface ReadArenaStats {
  /** Chunks ever allocated. */
  readonly allocated: number;
  /** Times a full chunk was replaced by a reused one. */
  readonly reused: number;
  readonly releases: number;
}

export class ReadArena {
  private readonly chunkBytes: number;
  private readonly minRegion: number;
  private readonly keep: number;
  private current: Buffer;
  private offset = 0;
  /** Whether bytes of `current` were handed out since the last release. */
  private currentHeld = false;
  /** Left chunks whose bytes were handed out since the last release. */
  private held: Buffer[] = [];
  private readonly free: Buffer[] = [];
  private region: Buffer | undefined;
  private s = { allocated: 0, reused: 0, releases: 0 };

  constructor(o: ReadArenaOptions = {}) {
    this.chunkBytes = o.chunkBytes ?? 64 * 1024;
    this.minRegion = Math.min(o.minRegion ?? 16 * 1024 + 64, this.chunkBytes);
    this.keep = o.keep ?? 8;
    this.current = this.allocate();
  }

  get stats(): ReadArenaStats {
    return { ...this.s };
  }

  /** The buffer the next read may fill: room in a chunk whose bytes nobody holds. */
  next(): Buffer {
    if (this.chunkBytes - this.offset < this.minRegion) this.advance();
    this.region = this.current.subarray(this.offset);
    return this.region;
  }

  /**
   * `nread` bytes arrived in `buffer` (the one next() returned): a view of them, valid until the
   * release() after this call. A buffer it did not hand out (never seen: Node alternates the two
   * calls) gets a copy, which stays valid.
   */
  took(nread: number, buffer: Uint8Array): Buffer {
    if (buffer !== this.region) return Buffer.from(buffer.subarray(0, nread));
    this.region = undefined;
    const view = this.current.subarray(this.offset, this.offset + nread);
    this.offset += nread;
    this.currentHeld = true;
    return view;
  }

  /** Nothing refers to the bytes handed out so far: their chunks may be written again. */
  release(): void {
    this.s.releases++;
    for (const c of this.held) if (this.free.length < this.keep) this.free.push(c);
    this.held = [];
    this.currentHeld = false;
  }

  private advance(): void {
    if (this.currentHeld) this.held.push(this.current);
    else if (this.free.length < this.keep) this.free.push(this.current);
    const reused = this.free.pop();
    if (reused !== undefined) this.s.reused++;
    this.current = reused ?? this.allocate();
    this.offset = 0;
    this.currentHeld = false;
  }

  private allocate(): Buffer {
    this.s.allocated++;
    // Not from Node's shared pool: a chunk is reused whole, so it must be ours alone.
    return Buffer.allocUnsafeSlow(this.chunkBytes);
  }
}

/**
 * The `onread` option for one TLS socket over an arena, and where its reads go: to `consumer` once
 * one is attached (the session, after the dial); before that (nothing is expected: the server speaks
 * after our HTTP request) as copies, kept in order for the consumer.
 */
export class ArenaReads {
  readonly arena: ReadArena;
  private consumer: ((bytes: Buffer) => void) | undefined;
  private early: Buffer[] = [];
  readonly onread: { readonly buffer: () => Buffer; readonly callback: (nread: number, buffer: Uint8Array) => void };

  constructor(arena = new ReadArena()) {
    this.arena = arena;
    this.onread = {
      buffer: () => this.arena.next(),
      callback: (nread, buffer) => {
        const bytes = this.arena.took(nread, buffer);
        if (this.consumer) this.consumer(bytes);
        else {
          this.early.push(Buffer.from(bytes));
          this.arena.release();
        }
      },
    };
  }

  /** Every later read goes to `consumer`, as a view valid until the arena's next release(). */
  attach(consumer: (bytes: Buffer) => void): void {
    this.consumer = consumer;
    const early = this.early;
    this.early = [];
    for (const b of early) consumer(b);
  }
}
