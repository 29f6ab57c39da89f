// One lock for the state directory, held around crash cleanup, so two helpers starting together
// cannot both replay a dead helper's journal (the later one would then delete the TUN, routes or DNS
// the earlier one had just set up under the same names).
//
// A kernel flock(2) on <dir>/.lock, held by util-linux's flock(1) for as long as we keep its stdin
// open: Node has no flock, and a lock file made with O_EXCL outlives a helper killed with SIGKILL
// (telling a stale one from a live one races). The kernel drops a flock when its holder dies: a
// SIGKILLed helper closes the pipe, `cat` sees end of input and exits, and the lock is free.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const FLOCK = ['/usr/bin/flock', '/bin/flock'];
const CAT = ['/usr/bin/cat', '/bin/cat'];

export type LockResult =
  | { readonly ok: true; readonly waitedMs: number; release(): Promise<void> }
  | { readonly ok: false; readonly reason: string };

/** `now` measures the wait for the log (an injected clock in tests). */
export function acquireStateLock(
  dir: string,
  timeoutSeconds = 30,
  now: () => number = () => performance.now(),
): Promise<LockResult> {
  const flock = FLOCK.find((p) => existsSync(p));
  const cat = CAT.find((p) => existsSync(p));
  if (flock === undefined || cat === undefined)
    return Promise.resolve({ ok: false, reason: 'flock(1) from util-linux is not installed' });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const start = now();
  // --no-fork: cat itself holds the lock's descriptor; it echoes our probe once the lock is ours.
  const child = spawn(flock, ['--exclusive', '--wait', String(timeoutSeconds), '--no-fork', join(dir, '.lock'), cat], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdin.on('error', () => {});
  child.stdin.write('locked\n');
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 400) stderr += d.toString();
    });
    child.stdout.once('data', () =>
      resolve({
        ok: true,
        waitedMs: Math.round(now() - start),
        release: async () => {
          child.stdin.end();
          await exited;
        },
      }),
    );
    child.once('error', (e) => resolve({ ok: false, reason: `flock: ${e.message}` }));
    child.once('close', (code) =>
      resolve({
        ok: false,
        reason:
          code === 1
            ? `another helper held ${join(dir, '.lock')} for ${timeoutSeconds} s`
            : `flock exited ${code}: ${stderr.trim()}`,
      }),
    );
  });
}

/**
 * `f` under the lock. Without it (no flock(1), or another holder past the timeout) `f` still runs,
 * as it would have before the lock existed, and the log says so: refusing would strand the user for
 * a race that is rare.
 */
export async function underStateLock<T>(
  dir: string,
  what: string,
  f: () => Promise<T>,
  log: (m: string) => void,
): Promise<T> {
  const lock = await acquireStateLock(dir);
  if (!lock.ok) {
    log(`${what} without the state lock: ${lock.reason}`);
    return f();
  }
  if (lock.waitedMs >= 100) log(`${what}: waited ${lock.waitedMs} ms for the state lock`);
  try {
    return await f();
  } finally {
    await lock.release();
  }
}
