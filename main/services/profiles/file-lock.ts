// A lock between processes for read-modify-write of a file the app, the CLI and the browser host share.
// The lock is a file created with link(2), which fails with EEXIST if it exists, so its content (the
// holder's pid and a random token) is complete the moment it appears. A lock whose pid no longer runs
// is stale (its holder crashed) and is broken, one breaker at a time, so two processes that both saw the
// same stale lock cannot remove each other's fresh one. No native code, no dependency.
import type { Result } from '../../engine/result.js';
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processIsAlive } from '../process-alive.js';

export interface FileLockOptions {
  /** How long to wait in total for a live holder before giving up (default 10 s). */
  readonly maxWaitMs?: number;
  /** Seams for tests: whether a pid runs, and how to wait. */
  readonly isAlive?: (pid: number) => boolean;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type LockError =
  | { kind: 'locked'; path: string; holder: number | undefined; message: string }
  | { kind: 'io'; path: string; message: string };

export type LockResult<T> = Result<T, LockError>;

interface Holder {
  readonly pid: number;
  readonly text: string;
}

export class FileLock {
  readonly path: string;
  private readonly maxWaitMs: number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly wait: (ms: number) => Promise<void>;
  private swept = false;

  /** `path` is the lock file itself, e.g. `profiles.json.lock` beside `profiles.json`. */
  constructor(path: string, opts: FileLockOptions = {}) {
    this.path = path;
    this.maxWaitMs = opts.maxWaitMs ?? 10_000;
    this.isAlive = opts.isAlive ?? processIsAlive;
    this.wait = opts.sleep ?? ((ms) => sleep(ms));
  }

  /** Runs `fn` while holding the lock; the lock is released however `fn` ends. */
  async run<T>(fn: () => Promise<T>): Promise<LockResult<T>> {
    const acquired = await this.acquire();
    if (!acquired.ok) return acquired;
    try {
      return { ok: true, value: await fn() };
    } finally {
      await this.release(acquired.value);
    }
  }

  private async acquire(): Promise<LockResult<string>> {
    const dir = dirname(this.path);
    const token = randomBytes(8).toString('hex');
    const text = `${process.pid} ${token}\n`;
    const tmp = join(dir, `${tmpPrefix(this.path)}${process.pid}-${token}`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (!this.swept) {
        this.swept = true;
        await this.sweep();
      }
      await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      return ioError(this.path, e);
    }
    try {
      let waited = 0;
      let holder: Holder | undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          await link(tmp, this.path);
          return { ok: true, value: text };
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return ioError(this.path, e);
        }
        holder = await readHolder(this.path);
        // Gone between our link and our read: try again at once.
        if (holder === undefined) continue;
        if (!this.alive(holder.pid)) {
          await this.breakStale(tmp, holder);
          continue;
        }
        if (waited >= this.maxWaitMs) break;
        // Jittered, growing backoff: holders keep the lock for one small file write.
        const ms = Math.min(50, 2 + attempt) + Math.floor(Math.random() * 5);
        await this.wait(ms);
        waited += ms;
      }
      return {
        ok: false,
        error: {
          kind: 'locked',
          path: this.path,
          holder: holder?.pid,
          message: `${this.path} is held by process ${holder?.pid ?? '?'} (another Causeway window or command) for more than ${Math.round(this.maxWaitMs / 1000)} s. Try again; if that process hangs, stop it.`,
        },
      };
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  private async release(text: string): Promise<void> {
    // Remove only our own lock: if it was (wrongly) broken, the file is someone else's now.
    const now = await readFile(this.path, 'utf8').catch(() => undefined);
    if (now === text) await unlink(this.path).catch(() => {});
  }

  /**
   * Removes a lock left by a process that died. Breaking is itself guarded by a second link-created file,
   * and the lock is removed only if it still holds the stale text we read, so a lock taken meanwhile by a
   * live process survives.
   */
  private async breakStale(tmp: string, stale: Holder): Promise<void> {
    const breaker = `${this.path}.break`;
    try {
      await link(tmp, breaker);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return;
      // A breaker that died mid-break leaves its file; its pid tells.
      const other = await readHolder(breaker);
      if (other && !this.alive(other.pid)) await unlinkIf(breaker, other.text);
      return;
    }
    try {
      await unlinkIf(this.path, stale.text);
    } finally {
      await unlink(breaker).catch(() => {});
    }
  }

  // pid 0 (unparseable content) must not reach kill(0, 0), which asks about our own process group.
  private alive(pid: number): boolean {
    return pid > 0 && this.isAlive(pid);
  }

  /** Temp files of writers that died between creating and removing them. */
  private async sweep(): Promise<void> {
    const prefix = tmpPrefix(this.path);
    const names = await readdir(dirname(this.path)).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const pid = Number(name.slice(prefix.length).split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !this.alive(pid))
        await unlink(join(dirname(this.path), name)).catch(() => {});
    }
  }
}

function tmpPrefix(lockPath: string): string {
  return `.${basename(lockPath)}-tmp-`;
}

async function readHolder(path: string): Promise<Holder | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const pid = Number(text.split(' ')[0]);
  // Unparseable content was not written by us; treat it as a dead holder so it cannot block forever.
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, text };
}

async function unlinkIf(path: string, text: string): Promise<void> {
  const now = await readFile(path, 'utf8').catch(() => undefined);
  if (now === text) await unlink(path).catch(() => {});
}

function ioError(path: string, e: unknown): LockResult<never> {
  const err = e as NodeJS.ErrnoException;
  return {
    ok: false,
    error: { kind: 'io', path, message: `Cannot lock ${path}: ${err.code ?? ''} ${err.message}`.trim() },
  };
}
