// Undo what a helper that was killed (SIGKILL, OOM, power cut of the session) left behind.
import { unlinkSync } from 'node:fs';
import { currentNamespaces, findLeftovers, STATE_DIR } from './state-store.js';
import type { HelperSystem } from './system.js';
import { performUndo } from './undo-step.js';

export async function cleanupLeftovers(
  system: HelperSystem,
  log: (m: string) => void,
  dir: string = STATE_DIR,
  owner = 0,
): Promise<number> {
  const here = currentNamespaces();
  let count = 0;
  for (const { path, state } of findLeftovers(dir, here, owner)) {
    log(`undoing ${state.steps.length} step(s) left by helper ${state.pid}`);
    for (const step of [...state.steps].reverse()) {
      // resolv.conf of another mount namespace is not the file we can see.
      if (step.kind === 'restore-resolv-conf' && state.namespaces.mnt !== here.mnt) continue;
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
