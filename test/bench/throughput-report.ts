// The benchmark's report on stdout: per direction a table of medians (goodput, CPU-s/GB, server CPU,
// RSS, outer segments, notes), the ratios issue 17 is judged by, and optionally the top self-time
// functions of the CLI's and the engine's CPU profiles during the Causeway transfers.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientNetns } from '../harness/client-netns.js';
import { say } from './throughput-args.js';
import { childPids, median, peakRssBytes, summarizeCpuProfile, type ProfileSummary } from './throughput-lib.js';
import type { Direction, Method, PathName, Sample } from './throughput-methods.js';

export interface ReportInputs {
  methods: Method[];
  sizeMb: number;
  runs: number;
  /** The no-tunnel paths' netns: their server CPU is not theirs, shown as —. */
  raw: ClientNetns;
  cliPid: number;
  rssReset: boolean;
  /** Load average at start, as printed. */
  load: string;
  profiling: boolean;
  /** Where the upload sink listens behind the tunnels, for the upload heading. */
  sinkAt: string;
}

const perGb = (x: number, s: Sample): number => (x / s.bytes) * 1e9;
const perMb = (x: number, s: Sample): number => (x / s.bytes) * 1e6;
const fmt = (x: number, digits: number): string => (Number.isNaN(x) ? '—' : x.toFixed(digits));
const med = (m: Method, f: (s: Sample) => number | undefined): number =>
  median(m.samples.map(f).filter((x): x is number => x !== undefined));

/** The engine's own counters: event-loop lag, SSTP frames per MB, stalls, TUN reads/writes. */
function engineNotes(m: Method, dir: Direction): string[] {
  const notes: string[] = [];
  notes.push(
    `event-loop lag p99 ${fmt(
      med(m, (s) => s.lagP99),
      1,
    )} ms (max ${Math.max(...m.samples.map((s) => s.lagMax ?? 0)).toFixed(1)})`,
  );
  // One SSTP data frame per IP packet each way: the pump's packet counters are the frame counts.
  const frames = med(m, (s) =>
    s.pump === undefined ? undefined : perMb((dir === 'down' ? s.pump['rxPackets'] : s.pump['txPackets']) ?? 0, s),
  );
  notes.push(`SSTP data frames ${fmt(frames, 0)}/MB ${dir === 'down' ? 'in' : 'out'}`);
  const p = m.samples[m.samples.length - 1]?.pump;
  if (p !== undefined) notes.push(`tunStalls ${p['tunStalls'] ?? 0} tlsStalls ${p['tlsStalls'] ?? 0}`);
  const tun = m.samples[m.samples.length - 1]?.tun;
  if (tun !== undefined && dir === 'down') {
    const gso = tun['txGsoPackets'] ?? 0;
    const plain = (tun['txPackets'] ?? 0) - (tun['txGsoSegments'] ?? 0);
    notes.push(
      `TUN writes ${gso + plain} (${gso} GSO, ${((tun['txGsoSegments'] ?? 0) / Math.max(1, gso)).toFixed(1)} segments each)`,
    );
  } else if (tun !== undefined) {
    // The writes on an upload are the sink's ACKs coming back (pure ACKs are never merged).
    notes.push(
      `TUN reads ${tun['rxPackets'] ?? 0} packets in ${tun['rxWakeups'] ?? 0} wake-ups, TUN writes ${tun['txPackets'] ?? 0}`,
    );
  }
  return notes;
}

function methodRow(m: Method, dir: Direction, raw: ClientNetns): string {
  const mb = m.samples.map((s) => s.mbps);
  const cpuPerGb = med(m, (s) => (s.cpu === undefined ? undefined : perGb(s.cpu, s)));
  const rss = med(m, (s) => (s.peakRss === undefined ? undefined : s.peakRss / 1e6));
  const segOut = med(m, (s) => (s.segments === undefined ? undefined : perMb(s.segments.out, s)));
  const segIn = med(m, (s) => (s.segments === undefined ? undefined : perMb(s.segments.in, s)));
  const notes: string[] = [];
  if (m.tls !== undefined && m.tls !== '') notes.push(m.tls);
  if (m.name === 'Causeway engine') notes.push(...engineNotes(m, dir));
  if (m.name === 'SoftEther client') notes.push('1 TCP connection');
  const server =
    m.ns === raw
      ? '—'
      : fmt(
          med(m, (s) => perGb(s.serverCpu, s)),
          2,
        );
  return (
    `  ${m.name.padEnd(18)}${median(mb).toFixed(1).padStart(8)}${Math.min(...mb)
      .toFixed(1)
      .padStart(8)}${Math.max(...mb)
      .toFixed(1)
      .padStart(8)}` +
    `${fmt(cpuPerGb, 2).padStart(10)}` +
    `${server.padStart(8)}` +
    `${fmt(rss, 0).padStart(8)}${`${fmt(segOut, 0)}/${fmt(segIn, 0)}`.padStart(12)}   ${notes.join('; ')}`
  );
}

export function formatReport(r: ReportInputs): string {
  const { methods } = r;
  const by = (n: PathName, dir: Direction): Method => methods.find((m) => m.name === n && m.dir === dir) as Method;
  const out: string[] = [];
  out.push('');
  out.push(
    `Throughput, ${r.sizeMb} MB each way, median of ${r.runs} (MB = 10^6 bytes; CPU-s/GB = utime+stime of the client's tunnel process per 10^9 bytes;`,
  );
  out.push(
    `server = the same for vpnserver; RSS = peak (VmHWM) of the tunnel process during a transfer; segs/MB = TCP segments of the outer connection, out/in)`,
  );
  for (const dir of ['down', 'up'] as const) {
    out.push('');
    out.push(
      dir === 'down'
        ? 'download (server → client: nginx → curl)'
        : `upload (client → server: curl PUT → sink on ${r.sinkAt}, hashing)`,
    );
    out.push(
      `  ${'path'.padEnd(18)}${'MB/s'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'CPU-s/GB'.padStart(10)}${'server'.padStart(8)}${'RSS MB'.padStart(8)}${'segs/MB'.padStart(12)}   notes`,
    );
    for (const m of methods.filter((x) => x.dir === dir)) out.push(methodRow(m, dir, r.raw));
    const cw = median(by('Causeway CLI', dir).samples.map((s) => s.mbps));
    const rawTls = median(by('raw TLS', dir).samples.map((s) => s.mbps));
    const seMbps = median(by('SoftEther client', dir).samples.map((s) => s.mbps));
    const cpuCw = med(by('Causeway CLI', dir), (s) => (s.cpu === undefined ? undefined : perGb(s.cpu, s)));
    const cpuSe = med(by('SoftEther client', dir), (s) => (s.cpu === undefined ? undefined : perGb(s.cpu, s)));
    out.push(`  Causeway CLI ÷ raw TLS          ${(cw / rawTls).toFixed(2)}×`);
    out.push(`  Causeway CLI ÷ SoftEther client ${(cw / seMbps).toFixed(2)}×   (issue 17 target ≥ 1.20×)`);
    out.push(
      `  CPU per GB, Causeway CLI ÷ SoftEther client ${(cpuCw / cpuSe).toFixed(2)}×   (Causeway ${fmt(cpuCw, 2)} CPU-s/GB; target ≤ 2.00)`,
    );
  }
  out.push('');
  const helperPids = childPids(r.cliPid);
  if (helperPids.length > 0)
    out.push(
      `  privileged helper of the CLI: peak RSS ${(peakRssBytes(helperPids) / 1e6).toFixed(0)} MB over the whole run`,
    );
  if (!r.rssReset) out.push('  (the kernel refused to reset VmHWM: RSS is the peak since each process started)');
  out.push(
    `  machine busy during transfers (all processes, both cores): median ${(median(methods.flatMap((m) => m.samples.map((s) => s.machineBusy))) * 100).toFixed(0)}%; load average at start ${r.load}`,
  );
  if (r.profiling) out.push('  (profiling was on: Causeway figures are slowed by it)');
  return `${out.join('\n')}\n`;
}

function printProfile(title: string, p: ProfileSummary): void {
  const lines = [
    '',
    `Top self time in ${title}`,
    `  ${p.windowed ? 'during the Causeway transfers' : 'whole run (no sample matched the transfer windows)'}: ${p.busyMs.toFixed(0)} ms busy, ${p.idleMs.toFixed(0)} ms idle`,
    ...p.rows.map(
      (r) => `  ${(r.share * 100).toFixed(1).padStart(5)}% ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}  ${r.where}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** After the tunnels stopped (V8 writes a profile at exit): each profile cut to the transfer windows. */
export function printProfiles(profileDir: string, windows: Record<Direction, [number, number][]>, root: string): void {
  for (const sub of ['cli', 'engine']) {
    const dir = join(profileDir, sub);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
    // The tunnel process writes the biggest profile (the helper is a separate, mostly idle process).
    const sized = files.map((f) => ({ f, s: statSync(join(dir, f)).size })).sort((a, b) => b.s - a.s);
    const file = sized[0]?.f;
    if (file === undefined) {
      say(`no profile in ${dir}`);
      continue;
    }
    for (const d of ['down', 'up'] as const) {
      printProfile(
        `${sub === 'cli' ? 'causeway connect' : 'in-process engine'}, ${d === 'down' ? 'downloads' : 'uploads'} (${join(dir, file)})`,
        summarizeCpuProfile(join(dir, file), windows[d], root),
      );
    }
  }
}
