// The journal on disk: /run/causeway-helper/<pid>.json, rewritten atomically after every change,
// so the next helper start can undo what a killed helper left behind.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { array, integer, literal, strictObject, string, type Output } from '../check.js';
import { undoStep, type UndoStep } from './undo-step.js';

export const STATE_DIR = '/run/causeway-helper';

export interface StateStore {
  save(steps: readonly UndoStep[]): void;
  remove(): void;
}

/** Namespaces are part of the identity: a step only makes sense where it was done. */
export interface Namespaces {
  readonly net: string;
  readonly mnt: string;
}

export function currentNamespaces(): Namespaces {
  return { net: readlinkSync('/proc/self/ns/net'), mnt: readlinkSync('/proc/self/ns/mnt') };
}

const stateFile = strictObject({
  version: literal(1),
  pid: integer(1, Number.MAX_SAFE_INTEGER),
  /** /proc/<pid>/stat start time, so a reused pid is not mistaken for a live helper. */
  startTime: string({ pattern: /^[0-9]+$/, message: 'not a start time' }),
  namespaces: strictObject({ net: string({ max: 64 }), mnt: string({ max: 64 }) }),
  steps: array(undoStep, { max: 1024 }),
});
export type StateFile = Output<typeof stateFile>;

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * The helper that wrote a state file still runs: same pid and start time, and not a zombie. A helper
 * killed with SIGKILL stays a zombie (same /proc/<pid>/stat start time) until its new parent reaps
 * it, which can be after the next helper has started: that one must still undo its leftovers.
 */
export function isRunning(pid: number, startTime: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && fields[0] !== 'X' && fields[19] === startTime;
  } catch {
    return false;
  }
}

/** A store for this process. The directory is root's and private; anything else there is ignored. */
export function fileStateStore(dir: string = STATE_DIR): StateStore {
  const path = join(dir, `${process.pid}.json`);
  const header = {
    version: 1 as const,
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? '0',
    namespaces: currentNamespaces(),
  };
  return {
    save(steps) {
      if (steps.length === 0) return this.remove();
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      const fd = openSync(tmp, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify({ ...header, steps }));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    },
    remove() {
      try {
        unlinkSync(path);
      } catch {
        // never written, or already gone
      }
    },
  };
}

export type Leftover = { readonly path: string; readonly state: StateFile };

/**
 * State files of helpers that are no longer running, from this network namespace. Files that are
 * not root's, not regular, malformed, or from another namespace are skipped (and kept).
 */
export function findLeftovers(dir: string = STATE_DIR, here: Namespaces = currentNamespaces(), owner = 0): Leftover[] {
  let names: string[];
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.uid !== owner || (st.mode & 0o022) !== 0) return [];
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Leftover[] = [];
  for (const name of names) {
    if (!/^[0-9]+\.json$/.test(name)) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!st.isFile() || st.uid !== owner || (st.mode & 0o022) !== 0 || st.size > 1024 * 1024) continue;
      const parsed = stateFile(JSON.parse(readFileSync(path, 'utf8')), '');
      if (!parsed.ok) continue;
      const state = parsed.value;
      if (state.pid === process.pid) continue;
      if (isRunning(state.pid, state.startTime)) continue;
      if (state.namespaces.net !== here.net) continue;
      out.push({ path, state });
    } catch {
      continue;
    }
  }
  return out;
}
