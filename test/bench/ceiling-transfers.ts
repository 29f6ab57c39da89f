// One timed transfer of each kind in ceiling.ts: raw TLS (the baseline), and TCP through the
// tunnel (--traffic tcp); the UDP ones are in ceiling-udp.ts. Each returns a Sample: goodput and
// each side's CPU per GB, plus how many cores each side kept busy — the side near 1.0 is the limit.
import { fileURLToPath } from 'node:url';
import { tool } from '../harness/netns.js';
import type { JsonChild } from '../support/json-child.js';
import { FAR_ADDRESS, TCP_PORT, type CeilingEnv } from './ceiling-env.js';
import { schedDelta, type SchedTimes } from './schedstat.js';

const RAW = fileURLToPath(new URL('./raw-tls-client.ts', import.meta.url));

export interface Sample {
  readonly mbps: number;
  /** The engine (tunnel) or the raw TLS client, CPU-s per GB of goodput. */
  readonly clientCpuPerGb: number;
  /** The TCP application in the client namespace (tcp tunnel only, else 0). */
  readonly appCpuPerGb: number;
  /** The endpoint. */
  readonly farCpuPerGb: number;
  /** The TCP server behind the far TUN (tcp tunnel only, else 0). */
  readonly farAppCpuPerGb: number;
  /** How busy each side's core was during the transfer (all of that side's processes, CPU-s per s). */
  readonly clientBusy: number;
  readonly farBusy: number;
  /** Ready to run but waiting for a CPU (other load, or the side's own processes in each other's way), cores. */
  readonly clientWait: number;
  readonly farWait: number;
  /** Per-transfer counters worth printing (GSO packets, segments, stalls). */
  readonly counters: Readonly<Record<string, number>>;
}

export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

export async function next(c: JsonChild, event: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  return c.waitFor((e) => e.event === event, timeoutMs, c.events.length);
}

interface AppResult {
  seconds: number;
  bytes: number;
  cpu: { user: number; system: number };
  sched: SchedTimes;
}

async function app(env: CeilingEnv, args: readonly string[]): Promise<AppResult> {
  const r = await env.ns.exec(tool('taskset'), ['-c', '0', process.execPath, '--import', 'tsx', RAW, ...args], {
    timeoutMs: 120_000,
  });
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as AppResult;
}

const cpuOf = (c: { user: number; system: number }): number => c.user + c.system;

export async function rawTransfer(env: CeilingEnv, verb: 'D' | 'U', bytes: number): Promise<Sample> {
  const far0 = env.farCpu();
  const farSched0 = env.farSched();
  const j = await app(env, [env.ns.serverAddress, String(env.rawPort), verb, String(bytes)]);
  const far = env.farCpu() - far0;
  const farSched = schedDelta(farSched0, env.farSched());
  const gb = j.bytes / 1e9;
  return {
    mbps: j.bytes / 1e6 / j.seconds,
    clientCpuPerGb: cpuOf(j.cpu) / gb,
    appCpuPerGb: 0,
    farCpuPerGb: far / gb,
    farAppCpuPerGb: 0,
    clientBusy: cpuOf(j.cpu) / j.seconds,
    // The far end's CPU also covers the client's start-up (idle for it); divided by the transfer time it is an upper bound.
    farBusy: far / j.seconds,
    clientWait: j.sched.waitS / j.seconds,
    farWait: farSched.waitS / j.seconds,
    counters: {},
  };
}

interface Report {
  seconds: number;
  cpu: { user: number; system: number };
  pump: Record<string, number>;
  tun?: Record<string, number>;
}

interface FarStats {
  relay: Record<string, number> | null;
  tun: Record<string, number> | null;
}

async function farStats(env: CeilingEnv): Promise<FarStats> {
  env.endpoint.send('stats');
  return (await next(env.endpoint, 'stats')) as unknown as FarStats;
}

function delta(
  a: Record<string, number> | null | undefined,
  b: Record<string, number> | null | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b ?? {})) out[k] = v - (a?.[k] ?? 0);
  return out;
}

/** `curl`-like TCP through the tunnel: the app in the client namespace to tcp-server.ts behind the far TUN. */
export async function tcpTunnelTransfer(
  env: CeilingEnv,
  verb: 'D' | 'U',
  bytes: number,
  windows: [number, number][],
): Promise<Sample> {
  const r = env.runner;
  r.send('mark');
  await next(r, 'marked');
  const far0 = await farStats(env);
  const farCpu0 = env.farCpu();
  const farApp0 = env.farAppCpu();
  const sched0 = { client: env.clientSched(), far: env.farSched() };
  const t0 = nowUs();
  const j = await app(env, [FAR_ADDRESS, String(TCP_PORT), verb, String(bytes), '--plain']);
  windows.push([t0, nowUs()]);
  r.send('report');
  const rep = (await next(r, 'report')) as unknown as Report;
  const far = env.farCpu() - farCpu0;
  const farApp = env.farAppCpu() - farApp0;
  const clientSched = schedDelta(sched0.client, env.clientSched());
  const farSched = schedDelta(sched0.far, env.farSched());
  const far1 = await farStats(env);
  const gb = j.bytes / 1e9;
  const clientTun = rep.tun ?? {};
  const farTun = delta(far0.tun, far1.tun);
  const relay = delta(far0.relay, far1.relay);
  // GSO happens where TCP segments are written into a TUN: the client's on download, the far end's on upload.
  const counters: Record<string, number> =
    verb === 'D'
      ? {
          'client TUN writes GSO': clientTun.txGsoPackets ?? 0,
          'segs merged': clientTun.txGsoSegments ?? 0,
          'client TUN pkts': clientTun.txPackets ?? 0,
          'far TUN reads': far1.tun === null ? 0 : (farTun.rxWakeups ?? 0),
          'far pkts read': farTun.rxPackets ?? 0,
          'far TSO reads': farTun.rxGsoPackets ?? 0,
          // What the client's kernel sends up during a download: its ACKs, and those left out (read.c).
          'client pkts read': clientTun.rxPackets ?? 0,
          'client ACKs thinned': clientTun.rxAcksThinned ?? 0,
          'tls stalls far': relay.tlsStalls ?? 0,
          'tun stalls client': rep.pump.tunStalls ?? 0,
        }
      : {
          'far TUN writes GSO': farTun.txGsoPackets ?? 0,
          'segs merged': farTun.txGsoSegments ?? 0,
          'far TUN pkts': farTun.txPackets ?? 0,
          'client TUN reads': clientTun.rxWakeups ?? 0,
          'client pkts read': clientTun.rxPackets ?? 0,
          'client TSO reads': clientTun.rxGsoPackets ?? 0,
          'segs cut': clientTun.rxGsoSegments ?? 0,
          'far pkts read': farTun.rxPackets ?? 0,
          'far ACKs thinned': farTun.rxAcksThinned ?? 0,
          'tls stalls client': rep.pump.tlsStalls ?? 0,
          'tun stalls far': relay.tunStalls ?? 0,
        };
  return {
    mbps: j.bytes / 1e6 / j.seconds,
    clientCpuPerGb: cpuOf(rep.cpu) / gb,
    appCpuPerGb: cpuOf(j.cpu) / gb,
    farCpuPerGb: far / gb,
    farAppCpuPerGb: farApp / gb,
    clientBusy: (cpuOf(rep.cpu) + cpuOf(j.cpu)) / j.seconds,
    farBusy: (far + farApp) / j.seconds,
    clientWait: (clientSched.waitS + j.sched.waitS) / j.seconds,
    farWait: farSched.waitS / j.seconds,
    counters,
  };
}
