// The log of one connection attempt: a LogSink for the engine that limits repeats, redacts, appends
// to the attempt's JSON-lines file and keeps a bounded tail that live views subscribe to.
// Each entry goes: repeat limiter (a flood folds into "N more like this") → redaction → tail,
// file (buffered, capped, debug budget) and live feed (batched). The sink is called on the packet
// path, so nothing in it blocks on the disk per line.
import { systemClock, type Clock } from '../../engine/clock.js';
import type { LogEntry, LogSink } from '../../engine/log.js';
import { AttemptFile, DEFAULT_ATTEMPT_FILE_LIMITS, type AttemptFileLimits } from './attempt-file.js';
import { DEFAULT_LIVE_FEED_LIMITS, LiveFeed, type LiveFeedLimits, type LogListener } from './live-feed.js';
import { DEFAULT_REPEAT_LIMITS, RepeatLimiter, type RepeatLimits } from './repeat-limiter.js';
import { RingBuffer } from './ring-buffer.js';
import { createRedactor, type Redactor } from './redact.js';

export type { LogListener } from './live-feed.js';

export interface AttemptInfo {
  readonly profileId: string;
  readonly attempt: number;
  readonly startedAt: number; // ms since epoch
  readonly file: string;
  readonly size: number; // bytes
}

export interface LogLimits {
  readonly file: AttemptFileLimits;
  readonly repeat: RepeatLimits;
  readonly live: LiveFeedLimits;
}

export const DEFAULT_LOG_LIMITS: LogLimits = {
  file: DEFAULT_ATTEMPT_FILE_LIMITS,
  repeat: DEFAULT_REPEAT_LIMITS,
  live: DEFAULT_LIVE_FEED_LIMITS,
};

/** Counts for tests and diagnostics: what the engine offered and where it went. */
export interface LogCounters {
  offered: number;
  folded: number;
}

export class ConnectionLog {
  /** Hand this to the engine. Never throws: a full disk must not take a connection down. */
  readonly sink: LogSink;
  readonly counters: LogCounters = { offered: 0, folded: 0 };
  private readonly tail: RingBuffer<LogEntry>;
  private readonly file: AttemptFile;
  private readonly limiter: RepeatLimiter;
  private readonly live: LiveFeed;
  private closed = false;

  constructor(
    readonly info: Omit<AttemptInfo, 'size'>,
    private redact: Redactor,
    tailSize: number,
    private readonly onClose: () => void = () => {},
    clock: Clock = systemClock,
    limits: LogLimits = DEFAULT_LOG_LIMITS,
    defer?: (fn: () => void) => void,
  ) {
    this.tail = new RingBuffer(tailSize);
    this.live = new LiveFeed(clock, limits.live, defer);
    this.file = new AttemptFile(info.file, clock, limits.file, (notice) => this.show(notice));
    this.limiter = new RepeatLimiter(clock, (summary) => this.accept(summary), limits.repeat);
    this.sink = (entry) => this.write(entry);
  }

  /** Set when the file could not be written; the tail still works. */
  get writeError(): string | undefined {
    return this.file.writeError;
  }

  /** Bytes of this attempt's file (written or about to be). */
  get fileSize(): number {
    return this.file.size;
  }

  /**
   * Secrets that exist only after the attempt started (a one-time code read for a reconnect): scrubbed
   * from every later line as the first ones are.
   */
  addSecrets(secrets: readonly string[]): void {
    const before = this.redact;
    const more = createRedactor(secrets);
    this.redact = (text) => more(before(text));
  }

  /** The newest entries, oldest first (already redacted). */
  recent(): LogEntry[] {
    return this.tail.toArray();
  }

  /** Live view: called for every entry from now on, in batches. Returns the unsubscribe function. */
  subscribe(listener: LogListener): () => void {
    return this.live.subscribe(listener);
  }

  /** Writes what is buffered (a reader wants the file now). */
  flush(): void {
    this.file.flush();
    this.live.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.limiter.close(); // its last summaries still go to the file and the views
    this.live.close();
    this.file.close();
    this.onClose();
  }

  private write(entry: LogEntry): void {
    if (this.closed) return;
    this.counters.offered++;
    try {
      if (this.limiter.admit(entry)) this.accept(entry);
      else this.counters.folded++;
    } catch {
      // Logging must never take the connection down.
    }
  }

  private accept(entry: LogEntry): void {
    const clean: LogEntry = { ...entry, message: this.redact(entry.message) };
    this.file.append(clean);
    this.show(clean);
  }

  private show(entry: LogEntry): void {
    this.tail.push(entry);
    this.live.push(entry);
  }
}
