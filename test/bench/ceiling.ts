// The client's own ceiling (issue 17): Causeway's data path against a far end that cannot be the
// bottleneck, beside the same TLS without SSTP to the same process — Causeway ÷ raw TLS here is the
// client's efficiency, with no SoftEther in the way. Needs root (TUN, netns, the helper).
//
//   far end   ceiling-endpoint.ts on core 1, in this namespace, on the host side of a veth
//   client    throughput-runner.ts (the same Tunnel/SstpSession/helper/TUN as `causeway connect`)
//             on core 0 in the client namespace cw-c95, full tunnel
//   download  the endpoint writes prebuilt SSTP frames (UDP/IPv4, 1400-byte packets to port 9); the
//             engine writes them to the TUN; an nft rule in the client namespace counts and drops
//             them at input, so the kernel's own UDP delivery costs nothing measurable
//   upload    hping3 --flood (or udp-source.ts with --node-source; core 1, with the endpoint) sends
//             1400-byte UDP packets into the TUN for a fixed time; the
//             engine reads, frames and encrypts them; the endpoint counts what arrives
//   raw TLS   raw-tls-client.ts (core 0, client namespace) moves the same byte count over one TLS
//             connection to the endpoint's raw port, in the same chunk size
// Goodput counts UDP payload bytes for the tunnel (1372 of each 1400-byte packet), all bytes for raw
// TLS: the ratio is a little unfair to the tunnel, never flattering.
//
// usage: node --import tsx test/bench/ceiling.ts [--size MB] [--runs N] [--profile DIR] [--node-source]
//   --profile: the engine runs under --cpu-prof; its top self-time functions during the tunnel
//   transfers are printed per direction (profiling slows it: take goodput from a run without).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { findExecutable, run, tool } from '../harness/netns.js';
import { spawnJsonChild, type JsonChild } from '../support/json-child.js';
import { readdirSync } from 'node:fs';
import { childPids, median, sumCpuSeconds, summarizeCpuProfile } from './throughput-lib.js';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const ENDPOINT = here('./ceiling-endpoint.ts');
const RUNNER = here('./throughput-runner.ts');
const RAW = here('./raw-tls-client.ts');
const SOURCE = here('./udp-source.ts');
/** The upload source: hping3 (apt install hping3) when present, else the Node one (slower than the tunnel). */
const useHping = !process.argv.includes('--node-source') && findExecutable('hping3') !== undefined;
const HPING_SECONDS = 3;
const IP_PACKET = 1400;
const PACKETS_PER_CHUNK = 46;
const PAYLOAD_SHARE = (IP_PACKET - 28) / IP_PACKET;
const SSTP_FRAME = IP_PACKET + 8;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const sizeMb = arg('--size', 200);
const profileAt = process.argv.indexOf('--profile');
const profileDir = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const windows: Record<'down' | 'up', [number, number][]> = { down: [], up: [] };
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
const runs = arg('--runs', 3);
const bytes = sizeMb * 1e6;
const chunkIp = IP_PACKET * PACKETS_PER_CHUNK;
const ipBytes = Math.ceil(bytes / chunkIp) * chunkIp;

if (process.getuid?.() !== 0) {
  console.error('ceiling.ts needs root (TUN, network namespaces, the helper)');
  process.exit(2);
}

interface Sample {
  readonly mbps: number;
  readonly clientCpuPerGb: number;
  readonly farCpuPerGb: number;
}
type Path = 'raw-down' | 'tunnel-down' | 'raw-up' | 'tunnel-up';
const samples: Record<Path, Sample[]> = { 'raw-down': [], 'tunnel-down': [], 'raw-up': [], 'tunnel-up': [] };
const node = process.execPath;

let ns: ClientNetns | undefined;
let endpoint: JsonChild | undefined;
let runner: JsonChild | undefined;
const watchdog = setTimeout(() => {
  console.error('ceiling.ts: watchdog after 300 s');
  void cleanup().then(() => process.exit(1));
}, 300_000);

async function cleanup(): Promise<void> {
  runner?.send('stop');
  endpoint?.send('stop');
  await Promise.race([runner?.exited, new Promise((r) => setTimeout(r, 8000))]);
  for (const c of [runner, endpoint]) {
    try {
      if (c?.child.pid !== undefined) process.kill(-c.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await ns?.stop();
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function next(c: JsonChild, event: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const from = c.events.length;
  return c.waitFor((e) => e.event === event, timeoutMs, from);
}

function farCpu(): number {
  const pid = endpoint?.child.pid;
  return pid === undefined ? 0 : sumCpuSeconds([pid, ...childPids(pid)]);
}

async function rawTransfer(verb: 'D' | 'U', host: string, port: number): Promise<Sample> {
  const far0 = farCpu();
  const r = await ns!.exec(
    tool('taskset'),
    ['-c', '0', node, '--import', 'tsx', RAW, host, String(port), verb, String(bytes)],
    {
      timeoutMs: 120_000,
    },
  );
  const far = farCpu() - far0;
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
    seconds: number;
    bytes: number;
    cpu: { user: number; system: number };
  };
  const gb = j.bytes / 1e9;
  return { mbps: j.bytes / 1e6 / j.seconds, clientCpuPerGb: (j.cpu.user + j.cpu.system) / gb, farCpuPerGb: far / gb };
}

interface Report {
  seconds: number;
  cpu: { user: number; system: number };
}

async function tunnelDown(): Promise<Sample> {
  const r = runner!;
  const e = endpoint!;
  r.send('mark');
  await next(r, 'marked');
  const far0 = farCpu();
  const t0 = nowUs();
  const rx = next(r, 'rx', 120_000);
  r.send(`wait-rx ${ipBytes}`);
  e.send(`down ${ipBytes}`);
  await rx;
  windows.down.push([t0, nowUs()]);
  r.send('report');
  const rep = (await next(r, 'report')) as unknown as Report;
  const far = farCpu() - far0;
  const payload = ipBytes * PAYLOAD_SHARE;
  const gb = payload / 1e9;
  return {
    mbps: payload / 1e6 / rep.seconds,
    clientCpuPerGb: (rep.cpu.user + rep.cpu.system) / gb,
    farCpuPerGb: far / gb,
  };
}

async function tunnelUp(peer: string): Promise<Sample> {
  const r = runner!;
  const e = endpoint!;
  e.send('mark');
  await next(e, 'marked');
  r.send('mark');
  await next(r, 'marked');
  const far0 = farCpu();
  const t0 = nowUs();
  if (useHping) {
    // hping3 floods raw UDP packets from C, far faster than the tunnel: runs for a fixed time.
    await ns!.exec(
      tool('timeout'),
      [
        '--signal=INT',
        String(HPING_SECONDS),
        tool('taskset'),
        '-c',
        '1',
        tool('hping3'),
        '--udp',
        '-p',
        '9',
        '-d',
        String(IP_PACKET - 28),
        '--flood',
        '-q',
        peer,
      ],
      { timeoutMs: 60_000, allowFailure: true },
    );
  } else {
    await ns!.exec(
      tool('taskset'),
      ['-c', '1', node, '--import', 'tsx', SOURCE, peer, String(bytes), String(IP_PACKET)],
      {
        timeoutMs: 120_000,
      },
    );
  }
  // Wait until nothing more arrives: the tunnel may still be draining the TUN queue.
  let last = -1;
  let c: Record<string, unknown> = {};
  for (;;) {
    e.send('count');
    c = await next(e, 'count');
    if (c.bytes === last) break;
    last = c.bytes as number;
    await new Promise((res) => setTimeout(res, 100));
  }
  windows.up.push([t0, nowUs()]);
  r.send('report');
  const rep = (await next(r, 'report')) as unknown as Report;
  const far = farCpu() - far0;
  const payload = ((c.bytes as number) / SSTP_FRAME) * (IP_PACKET - 28);
  const gb = payload / 1e9;
  return {
    mbps: payload / 1e6 / (c.activeSeconds as number),
    clientCpuPerGb: (rep.cpu.user + rep.cpu.system) / gb,
    farCpuPerGb: far / gb,
  };
}

try {
  const load = loadavg().map((x) => x.toFixed(2));
  ns = await startClientNetns(null, 95);
  endpoint = spawnJsonChild(tool('taskset'), ['-c', '1', node, '--import', 'tsx', ENDPOINT, ns.serverAddress], '', {
    keepStdinOpen: true,
    detached: true,
  });
  // From the first event on: the endpoint may print it before we start waiting.
  const listening = await endpoint.waitFor((e) => e.event === 'listening', 30_000);
  const sstpPort = listening.sstpPort as number;
  const rawPort = listening.rawPort as number;
  runner = spawnJsonChild(
    tool('ip'),
    [
      'netns',
      'exec',
      ns.name,
      tool('taskset'),
      '-c',
      '0',
      tool('setpriv'),
      '--pdeathsig',
      'TERM',
      '--',
      node,
      ...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '200']),
      '--import',
      'tsx',
      RUNNER,
      `${ns.serverAddress}:${sstpPort}`,
      '--interface',
      'cwceil0',
    ],
    'testpass\n',
    { detached: true, keepStdinOpen: true },
  );
  const connected = await runner.waitFor((e) => e.event === 'connected' || e.event === 'error', 60_000);
  if (connected.event !== 'connected')
    throw new Error(`the tunnel did not come up: ${JSON.stringify(connected)}\n${runner.output()}`);
  const up = await endpoint.waitFor((e) => e.event === 'up', 10_000);
  const rules = join(mkdtempSync(join(tmpdir(), 'cw-ceil-')), 'rules.nft');
  writeFileSync(
    rules,
    'table inet cwceil {\n  chain input {\n    type filter hook input priority 0;\n    udp dport 9 counter drop\n  }\n}\n',
  );
  await run(tool('ip'), ['netns', 'exec', ns.name, tool('nft'), '-f', rules]);
  const peer = '10.77.0.1';
  console.log(
    `ceiling: ${sizeMb} MB per transfer, ${runs} runs; tunnel ${String(up.clientAddress)} via ${String(connected.interface)} (${JSON.stringify(connected.tls)}); load ${load.join(' ')}`,
  );

  const order: Path[] = ['raw-down', 'tunnel-down', 'raw-up', 'tunnel-up'];
  for (let i = 0; i < runs; i++) {
    const rotated = [...order.slice(i % order.length), ...order.slice(0, i % order.length)];
    for (const p of rotated) {
      const s =
        p === 'raw-down'
          ? await rawTransfer('D', ns.serverAddress, rawPort)
          : p === 'raw-up'
            ? await rawTransfer('U', ns.serverAddress, rawPort)
            : p === 'tunnel-down'
              ? await tunnelDown()
              : await tunnelUp(peer);
      samples[p].push(s);
      console.log(
        `  run ${i + 1} ${p.padEnd(11)} ${s.mbps.toFixed(1).padStart(7)} MB/s  client ${s.clientCpuPerGb.toFixed(2)} CPU-s/GB  far end ${s.farCpuPerGb.toFixed(2)} CPU-s/GB`,
      );
    }
  }
  const counter = await run(tool('ip'), [
    'netns',
    'exec',
    ns.name,
    tool('nft'),
    '-j',
    'list',
    'table',
    'inet',
    'cwceil',
  ]);
  const delivered = /"packets":\s*(\d+)/.exec(counter.stdout)?.[1];
  const m = (p: Path, k: keyof Sample): number => median(samples[p].map((s) => s[k]));
  console.log('\nmedians');
  console.log(
    'direction  raw TLS MB/s  Causeway MB/s  ratio  client CPU-s/GB (raw / Causeway)  far end CPU-s/GB (raw / Causeway)',
  );
  for (const [dir, raw, tun] of [
    ['download', 'raw-down', 'tunnel-down'],
    ['upload', 'raw-up', 'tunnel-up'],
  ] as const) {
    console.log(
      `${dir.padEnd(9)}  ${m(raw, 'mbps').toFixed(1).padStart(12)}  ${m(tun, 'mbps').toFixed(1).padStart(13)}  ${(m(tun, 'mbps') / m(raw, 'mbps')).toFixed(2)}x  ${m(raw, 'clientCpuPerGb').toFixed(2)} / ${m(tun, 'clientCpuPerGb').toFixed(2)}  ${m(raw, 'farCpuPerGb').toFixed(2)} / ${m(tun, 'farCpuPerGb').toFixed(2)}`,
    );
  }
  const expected = (ipBytes / IP_PACKET) * runs;
  console.log(`download packets delivered to the client's IP stack: ${delivered ?? '?'} of ${expected} sent`);
  console.log(
    `load at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
if (profileDir !== undefined) {
  for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
    for (const d of ['down', 'up'] as const) {
      const sum = summarizeCpuProfile(join(profileDir, file), windows[d], ROOT, 20);
      console.log(
        `\nengine ${d === 'down' ? 'download' : 'upload'} profile (${file}): busy ${sum.busyMs.toFixed(0)} ms, idle ${sum.idleMs.toFixed(0)} ms${sum.windowed ? '' : ' (whole run)'}`,
      );
      for (const r of sum.rows) console.log(`  ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}  ${r.where}`);
    }
  }
}
