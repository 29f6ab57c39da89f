// A file that diagnostics append to without ever blocking or breaking the session: writes are queued
// and flushed asynchronously; a full disk, an I/O error or a writer that falls too far behind stops
// the file once with a typed reason, and later appends are dropped.
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  openSync,
  write as fsWrite,
  close as fsClose,
  constants,
} from 'node:fs';

export type AppendStopReason = 'disk-full' | 'write-failed' | 'backlog';

export interface AppendStopped {
  readonly path: string;
  readonly reason: AppendStopReason;
  readonly detail: string;
}

export type AppendOpen =
  { readonly ok: true; readonly file: AppendFile } | { readonly ok: false; readonly message: string };

/** More than this waiting to be written means the disk cannot keep up: stop rather than grow memory. */
const DEFAULT_BACKLOG_LIMIT = 32 * 1024 * 1024;

export interface AppendFileOptions {
  /** 'truncate' for a new capture, 'append' for a key log shared by several runs (SSLKEYLOGFILE). */
  readonly mode: 'truncate' | 'append';
  readonly onStop: (s: AppendStopped) => void;
  readonly backlogLimit?: number;
  /** Under sudo: the user who asked, who should own (and be able to open) a file we create. */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

export class AppendFile {
  private queue: Buffer[] = [];
  private queued = 0;
  private writing = false;
  private stopped = false;
  private closing: Promise<void> | undefined;
  private resolveIdle: (() => void) | undefined;
  /** Bytes handed to the disk so far. */
  written = 0;

  private constructor(
    readonly path: string,
    private fd: number,
    private readonly o: AppendFileOptions,
  ) {}

  /** Opens (or creates) `path` readable by its owner only: captures and key logs are secrets. */
  static open(path: string, o: AppendFileOptions): AppendOpen {
    const flags =
      constants.O_WRONLY | constants.O_NOFOLLOW | (o.mode === 'truncate' ? constants.O_TRUNC : constants.O_APPEND);
    let fd: number;
    let created = true;
    try {
      // Created here (O_EXCL) or already there: only a file we created is handed to `owner`, so a
      // path given under sudo can never give the user someone else's file.
      try {
        fd = openSync(path, flags | constants.O_CREAT | constants.O_EXCL, 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        created = false;
        fd = openSync(path, flags);
      }
    } catch (e) {
      return { ok: false, message: `cannot open ${path} for writing: ${(e as Error).message}` };
    }
    try {
      // An existing file keeps its mode on open: tighten it too. A FIFO or device (a live
      // `wireshark -k -i FIFO`, /dev/full in tests) is left as it is.
      if (fstatSync(fd).isFile()) fchmodSync(fd, 0o600);
      if (created && o.owner) fchownSync(fd, o.owner.uid, o.owner.gid);
    } catch (e) {
      closeSync(fd);
      return {
        ok: false,
        message: `cannot make ${path} private (mode 0600, owned by the user): ${(e as Error).message}`,
      };
    }
    return { ok: true, file: new AppendFile(path, fd, o) };
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Queues bytes; never throws, never waits. */
  append(bytes: Buffer): void {
    if (this.stopped || this.closing) return;
    if (this.queued + bytes.length > (this.o.backlogLimit ?? DEFAULT_BACKLOG_LIMIT)) {
      this.stop(
        'backlog',
        `more than ${Math.round((this.o.backlogLimit ?? DEFAULT_BACKLOG_LIMIT) / 1024)} KiB waiting for the disk`,
      );
      return;
    }
    this.queue.push(bytes);
    this.queued += bytes.length;
    this.pump();
  }

  /** Writes what is queued, then closes the file. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const finish = () => {
        const fd = this.fd;
        this.fd = -1;
        if (fd < 0) return resolve();
        fsClose(fd, () => resolve());
      };
      if (!this.writing) finish();
      else this.resolveIdle = finish;
    });
    return this.closing;
  }

  private pump(): void {
    if (this.writing || this.stopped || this.queue.length === 0 || this.fd < 0) return;
    const batch = this.queue.length === 1 ? (this.queue[0] as Buffer) : Buffer.concat(this.queue, this.queued);
    this.queue = [];
    this.queued = 0;
    this.writing = true;
    this.writeAll(batch, 0);
  }

  private writeAll(batch: Buffer, from: number): void {
    fsWrite(this.fd, batch, from, batch.length - from, null, (err, n) => {
      if (err) {
        this.writing = false;
        this.stop(
          err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'disk-full' : 'write-failed',
          `${err.code ?? ''} ${err.message}`.trim(),
        );
        this.idle();
        return;
      }
      this.written += n;
      if (from + n < batch.length) return this.writeAll(batch, from + n);
      this.writing = false;
      if (this.queue.length > 0 && !this.stopped) this.pump();
      else this.idle();
    });
  }

  private idle(): void {
    const r = this.resolveIdle;
    this.resolveIdle = undefined;
    r?.();
  }

  private stop(reason: AppendStopReason, detail: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue = [];
    this.queued = 0;
    this.o.onStop({ path: this.path, reason, detail });
  }
}
