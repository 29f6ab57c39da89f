// The client's own ceiling (issue 17): Causeway's data path against a far end that cannot be the
// bottleneck, beside the same TLS without SSTP to the same process — Causeway ÷ raw TLS here is the
// client's efficiency, with no SoftEther in the way. Needs root (TUN, netns, the helper).
//
//   far end   in netns cw-f95 on core 1: ceiling-endpoint.ts (the strict peer negotiates, then the
//             data plane) and, with --traffic tcp, its TUN cwfar0 and tcp-server.ts behind it
//   client    in netns cw-c95 on core 0: throughput-runner.ts (the same Tunnel/SstpSession/helper/
//             TUN as `causeway connect`), full tunnel
//   tcp       (default) raw-tls-client.ts --plain in cw-c95 downloads/uploads N MB from/to
//             tcp-server.ts through the tunnel: real TCP, so GSO merges segments on both TUNs
//   udp       prebuilt UDP frames down, hping3 (or --node-source) up: see ceiling-udp.ts
//   raw TLS   raw-tls-client.ts (core 0, cw-c95) moves the same byte count over one TLS connection
//             to the endpoint's raw port, same chunk size, same veth
//
// usage: node --import tsx test/bench/ceiling.ts [--traffic tcp|udp] [--size MB] [--runs N]
//                                                [--profile DIR] [--node-source]
//   --profile: the engine and the far end run under --cpu-prof; their top self-time functions
//   during the tunnel transfers are printed per direction (profiling slows them: take goodput
//   from a run without).
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tool } from '../harness/netns.js';
import { startCeilingEnv, type CeilingEnv, type Traffic } from './ceiling-env.js';
import { rawTransfer, tcpTunnelTransfer, type Sample } from './ceiling-transfers.js';
import { udpDown, udpUp, UDP_IP_PACKET, UDP_PACKETS_PER_CHUNK } from './ceiling-udp.js';
import { median, summarizeCpuProfile } from './throughput-lib.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const trafficAt = process.argv.indexOf('--traffic');
const traffic: Traffic = trafficAt >= 0 && process.argv[trafficAt + 1] === 'udp' ? 'udp' : 'tcp';
const sizeMb = arg('--size', 200);
const runs = arg('--runs', 3);
const profileAt = process.argv.indexOf('--profile');
const profileDir = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const bytes = sizeMb * 1e6;
const chunkIp = UDP_IP_PACKET * UDP_PACKETS_PER_CHUNK;
const udpIpBytes = Math.ceil(bytes / chunkIp) * chunkIp;
const windows: Record<'down' | 'up', [number, number][]> = { down: [], up: [] };
const loadText = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

if (process.getuid?.() !== 0) {
  console.error('ceiling.ts needs root (TUN, network namespaces, the helper)');
  process.exit(2);
}

type Path = 'raw-down' | 'tunnel-down' | 'raw-up' | 'tunnel-up';
const samples: Record<Path, Sample[]> = { 'raw-down': [], 'tunnel-down': [], 'raw-up': [], 'tunnel-up': [] };
let env: CeilingEnv | undefined;
const WATCHDOG_S = 60 + runs * Math.max(60, (sizeMb / 10) * 4);
const watchdog = setTimeout(() => {
  console.error(`ceiling.ts: watchdog after ${WATCHDOG_S} s`);
  void (env?.stop() ?? Promise.resolve()).then(() => process.exit(1));
}, WATCHDOG_S * 1000);
process.on('SIGINT', () => void (env?.stop() ?? Promise.resolve()).then(() => process.exit(130)));

function transfer(e: CeilingEnv, p: Path): Promise<Sample> {
  switch (p) {
    case 'raw-down':
      return rawTransfer(e, 'D', bytes);
    case 'raw-up':
      return rawTransfer(e, 'U', bytes);
    case 'tunnel-down':
      return traffic === 'tcp' ? tcpTunnelTransfer(e, 'D', bytes, windows.down) : udpDown(e, udpIpBytes, windows.down);
    case 'tunnel-up':
      return traffic === 'tcp' ? tcpTunnelTransfer(e, 'U', bytes, windows.up) : udpUp(e, bytes, windows.up);
  }
}

const f2 = (x: number): string => x.toFixed(2);
try {
  const load = loadText();
  env = await startCeilingEnv(traffic, profileDir);
  console.log(
    `ceiling (${traffic}): ${sizeMb} MB per transfer, ${runs} runs; tunnel ${String(env.up.clientAddress)} via ${String(env.connected.interface)} mtu ${String(env.connected.mtu)} (${JSON.stringify(env.connected.tls)}); far TUN GSO ${traffic === 'tcp' ? String(env.farGso) : 'n/a'}; load ${load}`,
  );
  const order: Path[] = ['raw-down', 'tunnel-down', 'raw-up', 'tunnel-up'];
  for (let i = 0; i < runs; i++) {
    const rotated = [...order.slice(i % order.length), ...order.slice(0, i % order.length)];
    for (const p of rotated) {
      const s = await transfer(env, p);
      samples[p].push(s);
      const app = s.appCpuPerGb > 0 ? ` + app ${f2(s.appCpuPerGb)}` : '';
      const farApp = s.farAppCpuPerGb > 0 ? ` + app ${f2(s.farAppCpuPerGb)}` : '';
      const counters = Object.entries(s.counters)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      console.log(
        `  run ${i + 1} ${p.padEnd(11)} ${s.mbps.toFixed(1).padStart(7)} MB/s  client ${f2(s.clientCpuPerGb)}${app} CPU-s/GB (core 0: busy ${f2(s.clientBusy)}, waiting ${f2(s.clientWait)})  far end ${f2(s.farCpuPerGb)}${farApp} CPU-s/GB (core 1: busy ${f2(s.farBusy)}, waiting ${f2(s.farWait)})${counters === '' ? '' : `\n      ${counters}`}`,
      );
    }
  }
  type Figure = Exclude<keyof Sample, 'counters'>;
  const m = (p: Path, k: Figure): number => median(samples[p].map((s) => s[k]));
  console.log(`\nmedians (${traffic})`);
  console.log(
    'direction  raw TLS MB/s  Causeway MB/s  ratio  client CPU-s/GB raw / engine (+app)  far end CPU-s/GB raw / endpoint (+app)  tunnel busy+waiting client / far',
  );
  for (const [dir, raw, tun] of [
    ['download', 'raw-down', 'tunnel-down'],
    ['upload', 'raw-up', 'tunnel-up'],
  ] as const) {
    console.log(
      `${dir.padEnd(9)}  ${m(raw, 'mbps').toFixed(1).padStart(12)}  ${m(tun, 'mbps').toFixed(1).padStart(13)}  ${f2(m(tun, 'mbps') / m(raw, 'mbps'))}x  ${f2(m(raw, 'clientCpuPerGb'))} / ${f2(m(tun, 'clientCpuPerGb'))} (+${f2(m(tun, 'appCpuPerGb'))})  ${f2(m(raw, 'farCpuPerGb'))} / ${f2(m(tun, 'farCpuPerGb'))} (+${f2(m(tun, 'farAppCpuPerGb'))})  ${f2(m(tun, 'clientBusy'))}+${f2(m(tun, 'clientWait'))} / ${f2(m(tun, 'farBusy'))}+${f2(m(tun, 'farWait'))}`,
    );
  }
  if (traffic === 'udp') {
    const nft = [tool('nft'), '-j', 'list', 'table', 'inet', 'cwceil'];
    const counter = await run(tool('ip'), ['netns', 'exec', env.ns.name, ...nft]);
    const delivered = /"packets":\s*(\d+)/.exec(counter.stdout)?.[1];
    const expected = (udpIpBytes / UDP_IP_PACKET) * runs;
    console.log(`download packets delivered to the client's IP stack: ${delivered ?? '?'} of ${expected} sent`);
  }
  console.log(`load at end ${loadText()}`);
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await env?.stop();
}
if (profileDir !== undefined) {
  for (const who of ['engine', 'far-end'] as const) {
    const file = join(profileDir, `${who}.cpuprofile`);
    if (!existsSync(file)) {
      console.log(`\n${who}: no profile written (${file})`);
      continue;
    }
    for (const d of ['down', 'up'] as const) {
      const sum = summarizeCpuProfile(file, windows[d], ROOT, 15);
      console.log(
        `\n${who} ${d === 'down' ? 'download' : 'upload'} profile: busy ${sum.busyMs.toFixed(0)} ms, idle ${sum.idleMs.toFixed(0)} ms${sum.windowed ? '' : ' (whole run)'}`,
      );
      for (const r of sum.rows) console.log(`  ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}  ${r.where}`);
    }
  }
}
