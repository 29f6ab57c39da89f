// One SoftEther server per name at a time, across processes: a lock file holding the owner's pid.
// A second process asking for the same name waits (bounded) for the first to stop; a lock whose
// owner died is removed, so a crashed run never blocks the next one.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debug, isAlive, sleep } from './netns.js';

function lockOwner(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Takes `<root>/<name>.lock` for this process and returns its path; the caller removes it. */
export async function acquireNameLock(root: string, name: string): Promise<string> {
  const path = join(root, `${name}.lock`);
  const waitMs = Number(process.env['CAUSEWAY_HARNESS_LOCK_WAIT_MS'] ?? 180_000);
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = lockOwner(path);
    if (owner === process.pid) {
      throw new Error(`a SoftEther server named "${name}" is already running in this process; pass another name`);
    }
    // An unreadable lock is a writer caught between create and write, unless it is old.
    const stale =
      owner === undefined
        ? Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 5_000
        : !isAlive(owner);
    if (stale) {
      debug(`removing stale lock ${path} (owner ${owner ?? '?'})`);
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`SoftEther server "${name}" is held by pid ${owner} for more than ${waitMs} ms`);
    if (!announced) {
      announced = true;
      debug(`SoftEther "${name}" is in use by pid ${owner}; waiting for it`);
    }
    await sleep(200);
  }
}
