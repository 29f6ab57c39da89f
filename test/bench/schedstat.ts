// How long a process ran and how long it was ready to run but waited for a CPU, from the
// scheduler's own accounting (/proc/<pid>/task/<tid>/schedstat: run time ns, run-queue wait ns,
// all threads). On a shared box this is what tells a CPU-bound side (busy + waiting ≈ 1 core) from
// one that waits on the other side (both low): CPU-s alone cannot.
import { readdirSync, readFileSync } from 'node:fs';

export interface SchedTimes {
  readonly runS: number;
  readonly waitS: number;
}

export function schedTimes(pid: number | 'self'): SchedTimes {
  let run = 0;
  let wait = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { runS: 0, waitS: 0 };
  }
  for (const tid of tids) {
    try {
      const [r, w] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').trim().split(' ');
      run += Number(r);
      wait += Number(w);
    } catch {
      // the thread ended meanwhile
    }
  }
  return { runS: run / 1e9, waitS: wait / 1e9 };
}

export function sumSched(pids: readonly (number | undefined)[]): SchedTimes {
  let runS = 0;
  let waitS = 0;
  for (const pid of pids) {
    if (pid === undefined) continue;
    const t = schedTimes(pid);
    runS += t.runS;
    waitS += t.waitS;
  }
  return { runS, waitS };
}

export const schedDelta = (a: SchedTimes, b: SchedTimes): SchedTimes => ({
  runS: b.runS - a.runS,
  waitS: b.waitS - a.waitS,
});
