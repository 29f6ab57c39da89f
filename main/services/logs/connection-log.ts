// The log of one connection attempt: a LogSink for the engine that redacts, appends to the attempt's
// JSON-lines file and keeps a bounded tail that live views subscribe to.
// Appends are synchronous so lines land in order and survive a crash right after; logging is low volume.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { LogEntry, LogSink } from '../../engine/log.js';
import { encodeRecord } from './log-file.js';
import { RingBuffer } from './ring-buffer.js';
import type { Redactor } from './redact.js';

export type LogListener = (entry: LogEntry) => void;

export interface AttemptInfo {
  readonly profileId: string;
  readonly attempt: number;
  readonly startedAt: number; // ms since epoch
  readonly file: string;
  readonly size: number; // bytes
}

export class ConnectionLog {
  /** Hand this to the engine. Never throws: a full disk must not take a connection down. */
  readonly sink: LogSink;
  /** Set when the file could not be written; the tail still works. */
  writeError: string | undefined;
  private fd: number | undefined;
  private readonly tail: RingBuffer<LogEntry>;
  private readonly listeners = new Set<LogListener>();

  constructor(
    readonly info: Omit<AttemptInfo, 'size'>,
    private readonly redact: Redactor,
    tailSize: number,
    private readonly onClose: () => void = () => {},
  ) {
    this.tail = new RingBuffer(tailSize);
    try {
      this.fd = openSync(info.file, 'a', 0o600);
    } catch (e) {
      this.writeError = (e as Error).message;
    }
    this.sink = (entry) => this.write(entry);
  }

  /** The newest entries, oldest first (already redacted). */
  recent(): LogEntry[] {
    return this.tail.toArray();
  }

  /** Live view: called for every entry from now on. Returns the unsubscribe function. */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    this.listeners.clear();
    this.onClose();
  }

  private write(entry: LogEntry): void {
    const clean: LogEntry = { ...entry, message: this.redact(entry.message) };
    this.tail.push(clean);
    if (this.fd !== undefined) {
      try {
        writeSync(this.fd, encodeRecord(clean));
      } catch (e) {
        this.writeError = (e as Error).message;
      }
    }
    for (const l of this.listeners) {
      try {
        l(clean);
      } catch {
        // A broken view must not break logging for the others.
      }
    }
  }
}
