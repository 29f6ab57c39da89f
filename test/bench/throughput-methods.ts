// What the benchmark measures: five paths × two directions ("methods"), and one timed sample of a
// method with the CPU, RSS, outer-segment and event-loop figures taken around it.
import type { ClientNetns } from '../harness/client-netns.js';
import { tool } from '../harness/netns.js';
import type { JsonChild } from '../support/json-child.js';
import { say } from './throughput-args.js';
import type { Transfer } from './throughput-curl.js';
import {
  machineJiffies,
  parseSsSegments,
  peakRssBytes,
  resetPeakRss,
  sumCpuSeconds,
  type Segments,
} from './throughput-lib.js';

export type Direction = 'down' | 'up';

export interface Sample extends Transfer {
  cpu?: number;
  /** vpnserver's CPU seconds during the transfer (the server side of every tunnel). */
  serverCpu: number;
  machineBusy: number;
  /** Peak RSS of the tunnel process(es) during the transfer, bytes. */
  peakRss?: number;
  /** TCP segments of the tunnel's outer connection during the transfer (tunnels only). */
  segments?: Segments;
  lagP99?: number;
  lagMax?: number;
  pump?: Record<string, number>;
  tun?: Record<string, number>;
}

export type PathName = 'raw TLS' | 'direct TCP' | 'Causeway CLI' | 'Causeway engine' | 'SoftEther client';

export interface Method {
  name: PathName;
  dir: Direction;
  ns: ClientNetns;
  url: string;
  /** pids whose CPU counts (the tunnel's process), empty for the no-tunnel baselines. */
  pids: number[];
  engine?: JsonChild;
  samples: Sample[];
  tls?: string;
}

export interface MethodInputs {
  raw: ClientNetns;
  nsCli: ClientNetns;
  nsEngine: ClientNetns;
  nsSe: ClientNetns;
  /** Per path, the download URL and the upload (sink) URL. */
  urls: Record<'rawTls' | 'direct' | 'tunnel', { down: string; up: string }>;
  cliPid: number;
  enginePid: number;
  sePids: number[];
  engine: JsonChild;
  /** The CLI's TLS version and cipher, for the report's notes. */
  cliTls: string;
}

export function buildMethods(x: MethodInputs): Method[] {
  const methods: Method[] = [];
  for (const dir of ['down', 'up'] as const) {
    methods.push(
      { name: 'raw TLS', dir, ns: x.raw, url: x.urls.rawTls[dir], pids: [], samples: [] },
      { name: 'direct TCP', dir, ns: x.raw, url: x.urls.direct[dir], pids: [], samples: [] },
      {
        name: 'Causeway CLI',
        dir,
        ns: x.nsCli,
        url: x.urls.tunnel[dir],
        pids: [x.cliPid],
        samples: [],
        tls: x.cliTls,
      },
      {
        name: 'Causeway engine',
        dir,
        ns: x.nsEngine,
        url: x.urls.tunnel[dir],
        pids: [x.enginePid],
        engine: x.engine,
        samples: [],
      },
      { name: 'SoftEther client', dir, ns: x.nsSe, url: x.urls.tunnel[dir], pids: x.sePids, samples: [] },
    );
  }
  return methods;
}

/**
 * Outer TCP segments so far of a tunnel's long-lived connection to :443 (`ss` segs_out/segs_in, which
 * the kernel counts per wire segment even for GSO/GRO packets). Not for the no-tunnel paths: curl's
 * connection is gone before ss could be asked after the transfer, and the namespace's totals
 * (/proc/net/snmp InSegs) count a GRO packet as one segment, which would not compare.
 */
async function readSegments(m: Method): Promise<Segments | undefined> {
  if (m.pids.length === 0) return undefined;
  try {
    return parseSsSegments((await m.ns.exec(tool('ss'), ['-tinH', 'state', 'established', '( dport = :443 )'])).stdout);
  } catch {
    return undefined;
  }
}

export interface Measured {
  sample: Sample;
  /** The transfer's wall-clock window in µs (hrtime), to cut the CPU profiles to it. */
  window: [number, number];
  /** False when the kernel refused to reset VmHWM for this method's processes. */
  rssReset: boolean;
}

/** One timed transfer of `m`, its figures, and its progress line on stderr. */
export async function measure(
  m: Method,
  round: number,
  serverPids: readonly number[],
  transfer: (m: Method) => Promise<Transfer>,
): Promise<Measured> {
  if (m.engine !== undefined) {
    const from = m.engine.events.length;
    m.engine.send('mark');
    await m.engine.waitFor((e) => e['event'] === 'marked', 5_000, from);
  }
  const rssReset = m.pids.length === 0 || resetPeakRss(m.pids);
  const seg0 = await readSegments(m);
  const cpu0 = sumCpuSeconds(m.pids);
  const s0 = sumCpuSeconds(serverPids);
  const j0 = machineJiffies();
  const w0 = Number(process.hrtime.bigint() / 1000n);
  const tr = await transfer(m);
  const w1 = Number(process.hrtime.bigint() / 1000n);
  const cpu1 = sumCpuSeconds(m.pids);
  const s1 = sumCpuSeconds(serverPids);
  const j1 = machineJiffies();
  const seg1 = await readSegments(m);
  const sample: Sample = {
    ...tr,
    serverCpu: s1 - s0,
    machineBusy: (j1.busy - j0.busy) / Math.max(1, j1.total - j0.total),
  };
  if (m.pids.length > 0) {
    sample.cpu = cpu1 - cpu0;
    sample.peakRss = peakRssBytes(m.pids);
  }
  if (seg0 !== undefined && seg1 !== undefined) sample.segments = { out: seg1.out - seg0.out, in: seg1.in - seg0.in };
  if (m.engine !== undefined) {
    const from = m.engine.events.length;
    m.engine.send('report');
    const rep = await m.engine.waitFor((e) => e['event'] === 'report', 5_000, from);
    const lag = rep['lag'] as { p99: number; max: number };
    sample.lagP99 = lag.p99;
    sample.lagMax = lag.max;
    sample.pump = rep['pump'] as Record<string, number>;
    if (rep['tun'] !== undefined) sample.tun = rep['tun'] as Record<string, number>;
  }
  say(
    `  round ${round + 1} ${m.dir.padEnd(4)} ${m.name.padEnd(16)} ${sample.mbps.toFixed(1).padStart(7)} MB/s` +
      (sample.cpu !== undefined ? `  cpu ${sample.cpu.toFixed(2)} s` : '') +
      `  server ${sample.serverCpu.toFixed(2)} s` +
      (sample.lagP99 !== undefined ? `  lag p99 ${sample.lagP99} ms` : '') +
      `  machine ${(sample.machineBusy * 100).toFixed(0)}% busy`,
  );
  return { sample, window: [w0, w1], rssReset };
}
