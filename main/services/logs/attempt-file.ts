// The file of one attempt, written so a server cannot turn it into a flood: lines are buffered and
// written together (one write per flush interval, not one synchronous write per line on the packet
// path), the file stops at a byte cap with one "truncated" line, and debug lines are kept only up
// to a budget (enough for the whole negotiation trace) unless verbose logging was asked for.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Clock, TimerHandle } from '../../engine/clock.js';
import type { LogEntry } from '../../engine/log.js';
import { encodeRecord } from './log-file.js';

export interface AttemptFileLimits {
  /** The file never grows past this (the truncation notice included). */
  readonly maxBytes: number;
  /** Debug bytes written when not verbose; a SoftEther negotiation trace is ~6 KiB. */
  readonly debugBudgetBytes: number;
  /** Keep every debug line (still under maxBytes). */
  readonly verbose: boolean;
  /** Buffered lines are written at most this long after they were logged… */
  readonly flushMs: number;
  /** …or at once when this many bytes are waiting. */
  readonly flushBytes: number;
}

export const DEFAULT_ATTEMPT_FILE_LIMITS: AttemptFileLimits = {
  maxBytes: 2 * 1024 * 1024,
  debugBudgetBytes: 256 * 1024,
  verbose: false,
  flushMs: 100,
  flushBytes: 64 * 1024,
};

// Room kept under the cap for the notices themselves.
const NOTICE_RESERVE = 512;

export class AttemptFile {
  /** Set when the file could not be opened or written; logging goes on without it. */
  writeError: string | undefined;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private written = 0;
  private debugBytes = 0;
  private debugStopped = false;
  private truncated = false;
  private timer: TimerHandle | undefined;

  /** `notice` receives the lines this file adds itself, so the live view shows them too. */
  constructor(
    readonly path: string,
    private readonly clock: Clock,
    private readonly limits: AttemptFileLimits,
    private readonly notice: (entry: LogEntry) => void,
  ) {
    try {
      this.fd = openSync(path, 'a', 0o600);
    } catch (e) {
      this.writeError = (e as Error).message;
    }
  }

  /** Bytes accepted so far (written or waiting). */
  get size(): number {
    return this.written + this.pendingBytes;
  }

  append(entry: LogEntry): void {
    if (this.truncated || this.fd === undefined) return;
    const line = encodeRecord(entry);
    const bytes = Buffer.byteLength(line);
    if (entry.level === 'debug' && !this.limits.verbose) {
      if (this.debugStopped) return;
      if (this.debugBytes + bytes > this.limits.debugBudgetBytes) {
        this.debugStopped = true;
        const kib = Math.round(this.limits.debugBudgetBytes / 1024);
        this.addNotice(
          entry,
          'info',
          `debug trace stops here (${kib} KiB written); turn on verbose logging to keep all of it. Info, warnings and errors are still written.`,
        );
        return;
      }
      this.debugBytes += bytes;
    }
    if (this.size + bytes > this.limits.maxBytes - NOTICE_RESERVE) {
      this.truncated = true;
      const mib = (this.limits.maxBytes / (1024 * 1024)).toFixed(1);
      this.addNotice(
        entry,
        'warn',
        `log truncated at ${mib} MiB: nothing more of this attempt is written to the file.`,
      );
      return;
    }
    this.queue(line, bytes);
  }

  /** Writes what is waiting, in one call. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.fd === undefined || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.written += this.pendingBytes;
    this.pendingBytes = 0;
    try {
      writeSync(this.fd, text);
    } catch (e) {
      this.writeError = (e as Error).message;
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Closing a descriptor we own cannot usefully fail; nothing to report.
      }
      this.fd = undefined;
    }
  }

  private addNotice(cause: LogEntry, level: 'info' | 'warn', message: string): void {
    const entry: LogEntry = { time: this.clock.now(), level, phase: cause.phase, message };
    const line = encodeRecord(entry);
    this.queue(line, Buffer.byteLength(line));
    this.notice(entry);
  }

  private queue(line: string, bytes: number): void {
    this.pending.push(line);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.limits.flushBytes) this.flush();
    else this.timer ??= this.clock.after(this.limits.flushMs, () => this.flush());
  }
}
