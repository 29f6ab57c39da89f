// Undo what a helper that was killed (SIGKILL, OOM, power cut of the session) left behind, under the
// state directory's lock (state-lock.ts) so two helpers starting together never both replay it.
import { unlinkSync } from 'node:fs';
import { acquireStateLock } from './state-lock.js';
import { currentNamespaces, findLeftovers, STATE_DIR } from './state-store.js';
import type { HelperSystem } from './system.js';
import { performUndo } from './undo-step.js';

export async function cleanupLeftovers(
  system: HelperSystem,
  log: (m: string) => void,
  dir: string = STATE_DIR,
  owner = 0,
): Promise<number> {
  const lock = await acquireStateLock(dir);
  if (!lock.ok) {
    // Replaying without the lock is the very race it prevents: leave the leftovers for the next start.
    log(`leftovers not cleaned up: ${lock.reason}`);
    return 0;
  }
  if (lock.waitedMs >= 100) log(`waited ${lock.waitedMs} ms for the state lock`);
  try {
    return await undoLeftovers(system, log, dir, owner);
  } finally {
    await lock.release();
  }
}

async function undoLeftovers(
  system: HelperSystem,
  log: (m: string) => void,
  dir: string,
  owner: number,
): Promise<number> {
  const here = currentNamespaces();
  let count = 0;
  for (const { path, state } of findLeftovers(dir, here, owner)) {
    log(`undoing ${state.steps.length} step(s) left by helper ${state.pid}`);
    for (const step of [...state.steps].reverse()) {
      // resolv.conf of another mount namespace is not the file we can see.
      // resolvconf's records live under /run of that mount namespace too.
      const mountBound = step.kind === 'restore-resolv-conf' || step.kind === 'remove-resolvconf-record';
      if (mountBound && state.namespaces.mnt !== here.mnt) continue;
      // The kill switch stays up after a crash: the next helper adopts the table (kill-switch.ts) and
      // its client decides whether to keep blocking.
      if (step.kind === 'delete-kill-switch') continue;
      const r = await performUndo(system, step).catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
      if (r.ok) count++;
      else log(`leftover ${step.kind}: ${r.reason}`);
    }
    try {
      unlinkSync(path);
    } catch {
      // another helper got there first
    }
  }
  return count;
}
