// The engine's own data path alone, with no kernel TUN and no helper: a real SstpSession and
// PacketPump over real TLS on loopback to ceiling-endpoint.ts (its own process, core 1; the strict
// peer negotiates, then it only writes prebuilt data frames or counts), the engine on core 0 behind
// a TUN that costs nothing (upload: one prebuilt batch of --batch packets handed over at each
// wake-up while the pump lets it; download: packets counted and dropped). Beside it, the same bytes
// through the endpoint's raw TLS port: Causeway ÷ raw here is what the JS path (deframing, framing,
// flow control, Node's streams) costs over bare TLS. Per direction: MB/s, this process's CPU-s/GB
// (process.cpuUsage, all threads), V8 GCs during the transfer; upload also wake-ups and TLS stalls.
//
// usage (no root): taskset -c 0 node --import tsx test/bench/hotpath.ts [--size MB] [--batch N] [--profile DIR]
//                                       [--only tunnel-down|tunnel-up|raw-down|raw-up]
//   --profile: a .cpuprofile per transfer (inspector, 100 µs), e.g. for throughput-lib's summary
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session as Inspector } from 'node:inspector/promises';
import { loadavg as osLoad } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { PacketPump } from '../../main/engine/datapath/pump.js';
import { SstpSession } from '../../main/engine/session.js';
import { makeBatch, type PacketBatch } from '../../main/engine/tun/packet-batch.js';
import type { TunDevice, TunStats } from '../../main/engine/tun/tun-device.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const profileAt = process.argv.indexOf('--profile');
const profileDir = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
const bytes = arg('--size', 200) * 1e6;
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
const batchPackets = arg('--batch', 64);
const IP = 1400;
const FRAME = IP + 8;

/** Upload: the same batch again at every wake-up; download: counts what the pump writes. */
class NullTun implements TunDevice {
  readonly name = 'null0';
  readonly headroom = 8;
  readonly gso = false;
  readonly closed = false;
  wakeups = 0;
  written = 0;
  private handler: ((b: PacketBatch) => void) | undefined;
  private paused = true;
  private scheduled = false;
  private left = 0;
  private done: (() => void) | undefined;
  private readonly batch: PacketBatch;
  constructor() {
    const p = Buffer.alloc(IP);
    p[0] = 0x45;
    p.writeUInt16BE(IP, 2);
    p[8] = 64;
    p[9] = 17;
    this.batch = makeBatch(
      Array.from({ length: batchPackets }, () => p),
      8,
    );
  }
  mtu(): number {
    return 1500;
  }
  onPackets(h: (b: PacketBatch) => void): void {
    this.handler = h;
  }
  onError(): void {}
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.schedule();
  }
  send(packets: number): Promise<void> {
    this.left = packets;
    return new Promise((resolve) => {
      this.done = resolve;
      this.schedule();
    });
  }
  write(packets: readonly Uint8Array[]): number {
    for (const p of packets) this.written += p.length;
    return packets.length;
  }
  onWritable(): void {}
  stats(): TunStats {
    // Nothing is counted here (the pump counts); zeros for whatever counters the device has.
    return new Proxy({}, { get: () => 0 }) as TunStats;
  }
  close(): void {}
  // Like the addon: one wake-up per event-loop turn while reading is on.
  private schedule(): void {
    if (this.scheduled || this.left <= 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.paused || this.left <= 0) return;
      this.wakeups++;
      this.left -= batchPackets;
      this.handler?.(this.batch);
      if (this.left <= 0) this.done?.();
      else this.schedule();
    });
  }
}

const endpoint = spawn(
  'taskset',
  ['-c', '1', process.execPath, '--import', 'tsx', fileURLToPath(new URL('./ceiling-endpoint.ts', import.meta.url))],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
endpoint.unref();
const lines = createInterface({ input: endpoint.stdout })[Symbol.asyncIterator]();
const command = (line: string): void => void endpoint.stdin.write(`${line}\n`);
async function next(event: string): Promise<Record<string, unknown>> {
  for (;;) {
    const l = await lines.next();
    if (l.done === true) throw new Error('the endpoint exited');
    const e = JSON.parse(l.value as string) as Record<string, unknown>;
    if (e.event === event) return e;
    if (e.event === 'error') throw new Error(String(e.message));
  }
}

const gcs = { minor: 0, major: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if ((e as { detail?: { kind?: number } }).detail?.kind === perf.NODE_PERFORMANCE_GC_MINOR) gcs.minor++;
    else gcs.major++;
    gcs.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

const inspector = profileDir === undefined ? undefined : new Inspector();
inspector?.connect();
await inspector?.post('Profiler.enable');
await inspector?.post('Profiler.setSamplingInterval', { interval: 100 });

/** Runs `transfer` (which returns the bytes moved) and prints one line about it. */
async function measure(name: string, transfer: () => Promise<number>, extra = (): string => ''): Promise<void> {
  if (only !== undefined && only !== name) return;
  await inspector?.post('Profiler.start');
  Object.assign(gcs, { minor: 0, major: 0, ms: 0 });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const moved = await transfer();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const gc = `GC ${gcs.minor} minor + ${gcs.major} major, ${gcs.ms.toFixed(0)} ms`;
  const r = await inspector?.post('Profiler.stop');
  if (r && profileDir !== undefined) writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(r.profile));
  const cpu = (c.user + c.system) / 1e6 / (moved / 1e9);
  const line = `${name.padEnd(12)} ${(moved / 1e6 / seconds).toFixed(1).padStart(7)} MB/s  ${cpu.toFixed(2)} CPU-s/GB  ${gc}`;
  console.log(`${line}${extra()}`);
}

function rawTls(port: number, verb: 'D' | 'U'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      s.write(`${verb} ${bytes}\n`);
      if (verb === 'D') return;
      const chunk = Buffer.alloc(batchPackets * FRAME, 0x5a);
      let sent = 0;
      const more = (): void => {
        while (sent < bytes) {
          sent += chunk.length;
          if (!s.write(chunk)) return void s.once('drain', more);
        }
      };
      more();
    });
    s.on('data', () => undefined);
    s.on('error', reject);
    s.on('close', () => resolve(bytes));
  });
}

const { sstpPort, rawPort } = (await next('listening')) as { sstpPort: number; rawPort: number };
const session = new SstpSession({
  host: '127.0.0.1',
  port: sstpPort,
  tlsMin: 'TLSv1.2',
  trust: { insecure: true },
  credentials: { username: 'testuser', password: 'testpass' },
  authMethods: ['mschapv2'],
  ipv6: false,
  mru: 1500,
});
const up = await session.connect();
if (!up.ok) throw new Error(`${up.failure.code}: ${up.failure.message}`);
await next('up');
const tun = new NullTun();
const pump = new PacketPump(tun);
pump.attach(session);
console.log(`hotpath: ${bytes / 1e6} MB each way, upload bursts of ${batchPackets} packets; load ${loadavg()}`);

await measure('tunnel-down', async () => {
  command(`down ${bytes}`);
  const sent = (await next('sent')).ipBytes as number;
  while (tun.written < sent) await sleep(2);
  return tun.written;
});
await measure(
  'tunnel-up',
  async () => {
    command('mark');
    await next('marked');
    const packets = Math.ceil(bytes / IP / batchPackets) * batchPackets;
    await tun.send(packets);
    for (;;) {
      command('count');
      if (((await next('count')).bytes as number) >= packets * FRAME) return packets * IP;
      await sleep(2);
    }
  },
  () => `  wake-ups ${tun.wakeups}, TLS stalls ${pump.stats.tlsStalls}`,
);
await measure('raw-down', () => rawTls(rawPort, 'D'));
await measure('raw-up', () => rawTls(rawPort, 'U'));
console.log(`load at end ${loadavg()}`);

pump.stop();
await session.disconnect();
command('stop');
process.exit(0);

function loadavg(): string {
  return osLoad()
    .map((l) => l.toFixed(2))
    .join(' ');
}
