// /proc figures for the memory bench (memory.ts): resident set now and its peak, in MB (10^6 bytes,
// like the bench's other figures), and the peak's reset (clear_refs "5", Linux >= 4.0).
import { readFileSync, writeFileSync } from 'node:fs';

export type StatusField = 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile';

/** One `/proc/<pid>/status` figure in MB; 0 when the process is gone. */
export function statusMb(pid: number, field: StatusField): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m?.[1] === undefined ? 0 : Math.round((Number(m[1]) * 1024) / 1e5) / 10;
  } catch {
    return 0;
  }
}

/** Resets VmHWM to the current RSS, so the next read is the peak of what follows. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
