// Small pieces of the throughput benchmark: statistics, per-process CPU from /proc, long-running
// children that speak JSON lines, and a summary of V8 .cpuprofile files (self time per function).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

let clockTicks: number | undefined;

/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat. */
export function clkTck(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout.trim());
    clockTicks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** utime + stime of a whole process (all its threads), in seconds; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, i.e. 11 and 12 after "pid (comm)".
    return (Number(fields[11]) + Number(fields[12])) / clkTck();
  } catch {
    return 0;
  }
}

export function sumCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((a, p) => a + cpuSeconds(p), 0);
}

/** Busy and total jiffies of the whole machine (/proc/stat "cpu" line): how loaded it was meanwhile. */
export function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

// --- memory -------------------------------------------------------------------------------------

/**
 * Resets the peak-RSS mark (VmHWM) of each process to its current RSS (clear_refs "5", Linux ≥ 4.0),
 * so the next peakRssBytes() is the peak of one transfer rather than of the process's whole life.
 * Returns false when the kernel refused (then the peak is the lifetime peak so far).
 */
export function resetPeakRss(pids: readonly number[]): boolean {
  let ok = pids.length > 0;
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m?.[1] === undefined ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/** Sum of VmHWM (peak resident set) over the processes, bytes. */
export function peakRssBytes(pids: readonly number[]): number {
  return pids.reduce((a, p) => a + statusKb(p, 'VmHWM') * 1024, 0);
}

/** Direct children of a process (all its threads'), e.g. the privileged helper of `causeway connect`. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'latin1').trim();
      if (text !== '') out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone
  }
  return out;
}

// --- TCP segment counters -----------------------------------------------------------------------

export interface Segments {
  out: number;
  in: number;
}

/**
 * segs_out / segs_in summed over the sockets of `ss -tinH` output (the kernel counts GSO/GRO
 * packets as the segments they carry, so these are wire segments, ACKs included).
 */
export function parseSsSegments(text: string): Segments {
  let out = 0;
  let inn = 0;
  for (const m of text.matchAll(/(?:^|\s)segs_out:(\d+)/g)) out += Number(m[1]);
  for (const m of text.matchAll(/(?:^|\s)segs_in:(\d+)/g)) inn += Number(m[1]);
  return { out, in: inn };
}

// --- .cpuprofile summary ------------------------------------------------------------------------

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileRow {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  /** Sampled time inside the windows (or overall, when no window matched), idle excluded. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly windowed: boolean;
  readonly rows: readonly ProfileRow[];
}

/**
 * Self time per function from a V8 CPU profile. `windowsUs` are [start, end] intervals on the
 * monotonic clock in microseconds (process.hrtime.bigint() / 1000n), the clock V8 stamps samples
 * with; when none of the samples falls inside them, the whole profile is summarised.
 */
export function summarizeCpuProfile(
  path: string,
  windowsUs: readonly (readonly [number, number])[],
  root: string,
  top = 25,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const stamps: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    stamps.push(t);
  }
  const inWindow = (ts: number): boolean => windowsUs.some(([a, b]) => ts >= a && ts <= b);
  const windowed = stamps.some(inWindow);
  const self = new Map<string, { name: string; where: string; us: number }>();
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < samples.length; i++) {
    const ts = stamps[i] ?? 0;
    if (windowed && !inWindow(ts)) continue;
    // The time up to the next sample belongs to this one.
    const dt = (stamps[i + 1] ?? ts) - ts;
    const node = byId.get(samples[i] ?? -1);
    if (node === undefined) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    const file = f.url.replace(/^file:\/\//, '').replace(`${root}/`, '');
    const where = file === '' ? '' : `${file}:${f.lineNumber + 1}`;
    const name = f.functionName === '' ? '(anonymous)' : f.functionName;
    const key = `${name}@${where}`;
    const row = self.get(key) ?? { name, where, us: 0 };
    row.us += dt;
    self.set(key, row);
  }
  const rows = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((r) => ({ name: r.name, where: r.where, ms: r.us / 1000, share: busy > 0 ? r.us / busy : 0 }));
  return { busyMs: busy / 1000, idleMs: idle / 1000, windowed, rows };
}
