// Long-running helpers (vpnserver, nginx) spawned detached into a network namespace: their own
// process group, killed with it, and reaped before a stop counts as done.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tool, waitFor } from './netns.js';

export interface ChildHandle {
  child: ChildProcess;
  pid: number;
}

export function childDone(handle: ChildHandle | undefined): boolean {
  if (handle === undefined) return true;
  // Only the reaped exit status counts: a killed multi-threaded process shows as a zombie while
  // its other threads still hold its sockets.
  return handle.child.exitCode !== null || handle.child.signalCode !== null;
}

/** SIGKILLs a detached child's whole process group (anything it may have forked goes too). */
export function killGroup(handle: ChildHandle | undefined): void {
  if (handle === undefined) return;
  try {
    process.kill(-handle.pid, 'SIGKILL');
  } catch {
    // group already gone
  }
}

/** SIGKILLs a child's process group and waits until the child is reaped. */
export async function killAndWait(handle: ChildHandle | undefined, what: string): Promise<void> {
  if (handle === undefined || childDone(handle)) return;
  killGroup(handle);
  // Polling with timers (not the 'exit' event) keeps the loop alive: the children are unref'd.
  await waitFor(`${what} (pid ${handle.pid}) to exit`, () => childDone(handle), 5_000, 10);
}

/** The last `lines` lines of a log, for failure messages. */
export function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Spawns a long-running command in `netns`, detached into its own process group, output to `outFile`. */
export function spawnInNetns(netns: string, args: readonly string[], outFile: string, cwd: string): ChildHandle {
  const out = openSync(outFile, 'a', 0o600);
  try {
    // setpriv's parent-death signal takes the process down even if this test process is SIGKILLed.
    const child = spawn(tool('ip'), ['netns', 'exec', netns, tool('setpriv'), '--pdeathsig', 'KILL', '--', ...args], {
      detached: true,
      stdio: ['ignore', out, out],
      cwd,
    });
    // A test that forgets stop() must still be able to exit; the exit hook then cleans up.
    child.unref();
    if (child.pid === undefined) throw new Error(`could not spawn ${args.join(' ')}`);
    return { child, pid: child.pid };
  } finally {
    closeSync(out);
  }
}
