// The engine of `causeway connect`, run in-process so a benchmark can see inside it: the same Tunnel,
// SstpSession, PacketPump, HelperClient and TUN addon, built exactly as main/cli/commands/connect.ts
// builds them, plus an event-loop delay monitor. Started by throughput.ts inside a client netns.
//
// usage: node --import tsx test/bench/throughput-runner.ts <server> [--interface NAME]   (root)
// stdin:  first line the password; then one command per line:
//   mark    start a measurement window (resets the event-loop histogram and counters)
//   report  end it: prints {"event":"report", lag (ms), cpu (s), pump and TUN counter deltas}
//   wait-rx N  answer {"event":"rx"} once the pump has received N IP bytes since mark (ceiling.ts)
//   stop    disconnect cleanly and exit
// stdout: JSON lines: connected / report / disconnected / error. EOF on stdin also stops.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Tunnel } from '../../main/engine/datapath/tunnel.js';
import type { PumpStats } from '../../main/engine/datapath/pump.js';
import type { LogEntry } from '../../main/engine/log.js';
import { SstpSession } from '../../main/engine/session.js';
import type { TunDevice, TunStats } from '../../main/engine/tun/tun-device.js';
import { HelperClient } from '../../main/helper/client/client.js';
import { helperLaunch } from '../../main/helper/client/launch.js';
import { HelperNetConfigurator } from '../../main/helper/client/helper-net-configurator.js';
import { buildSessionConfig } from '../../main/cli/options.js';

const KEEPALIVE_S = 20;

function emit(e: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

function fail(message: string): never {
  emit({ event: 'error', message });
  process.exit(1);
}

const args = process.argv.slice(2);
const server = args[0];
if (server === undefined) fail('usage: throughput-runner.ts <server> [--interface NAME]');
const ifIndex = args.indexOf('--interface');
const ifName = ifIndex >= 0 ? args[ifIndex + 1] : undefined;

const lines = createInterface({ input: process.stdin });
const iterator = lines[Symbol.asyncIterator]();
const first = await iterator.next();
const password = first.done === true ? '' : first.value;

const cfg = buildSessionConfig(server, { user: 'testuser', insecure: true }, password);
if (!cfg.ok) fail(cfg.error);

const log = (e: LogEntry): void => {
  if (e.level === 'warn' || e.level === 'error') emit({ event: 'log', ...e });
};
const helper = await HelperClient.start(helperLaunch(), {});
let tun: TunDevice | undefined;
const net = new HelperNetConfigurator(helper, process.getuid?.() ?? 0, ifName);
const tunnel = new Tunnel(
  cfg.value,
  // Same as `causeway connect <server> --no-dns`: full tunnel, the server's address kept outside.
  { routing: { mode: 'full' }, dns: false, serverAddress: cfg.value.host, reconnect: { enabled: false } },
  {
    net,
    openTun: (name) => {
      // Kept for its counters (GSO packets and segments per transfer); the tunnel owns it.
      const r = net.openTun(name);
      if (r.ok) tun = r.device;
      return r;
    },
    createSession: (c, d) => new SstpSession(c, d),
    sessionDeps: { log, sstpTimers: { helloIntervalMs: KEEPALIVE_S * 1000 }, lcpEchoIntervalMs: KEEPALIVE_S * 1000 },
    log,
  },
);
tunnel.onState((s) => {
  if (s.state === 'connected') {
    emit({
      event: 'connected',
      interface: s.interfaceName,
      address: s.ipv4.local,
      mtu: s.mtu,
      tls: { version: s.info.tls.version, cipher: s.info.tls.cipher },
    });
  } else if (s.state === 'disconnected') {
    emit({ event: 'disconnected', reason: s.reason });
  }
});

let stopping: Promise<void> | undefined;
const stop = (): Promise<void> => {
  stopping ??= (async () => {
    await tunnel.stop();
    await helper.close(5_000);
  })();
  return stopping;
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

const up = await tunnel.start();
if (!up.ok) {
  await helper.close(5_000);
  fail(`${up.failure.code}: ${up.failure.message}`);
}

// 5 ms sampling: fine enough for a p99 over a one-second transfer, coarse enough not to perturb it.
const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();
let window: { cpu: NodeJS.CpuUsage; pump: PumpStats; tun: TunStats | undefined; t: bigint } | undefined;
const ZERO: PumpStats = {
  txPackets: 0,
  txBytes: 0,
  rxPackets: 0,
  rxBytes: 0,
  txDropped: 0,
  tlsStalls: 0,
  tunStalls: 0,
};

function delta<T extends object>(a: T, b: T): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(a) as (keyof T & string)[]) {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' && typeof y === 'number') out[k] = y - x;
  }
  return out;
}

const pumpDelta = (a: PumpStats, b: PumpStats): Record<string, number> => delta(a, b);

const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

for (;;) {
  const next = await iterator.next();
  const cmd = next.done === true ? 'stop' : next.value.trim();
  if (cmd === 'mark') {
    lag.reset();
    window = { cpu: process.cpuUsage(), pump: tunnel.stats ?? ZERO, tun: tun?.stats(), t: process.hrtime.bigint() };
    emit({ event: 'marked' });
  } else if (cmd === 'report') {
    const w = window ?? { cpu: { user: 0, system: 0 }, pump: ZERO, tun: undefined, t: process.hrtime.bigint() };
    const tunNow = tun?.stats();
    const cpu = process.cpuUsage(w.cpu);
    emit({
      event: 'report',
      seconds: Number(process.hrtime.bigint() - w.t) / 1e9,
      lag: {
        p50: ms(lag.percentile(50)),
        p99: ms(lag.percentile(99)),
        max: ms(lag.max),
        mean: ms(lag.mean),
        samples: lag.count,
      },
      cpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
      pump: pumpDelta(w.pump, tunnel.stats ?? ZERO),
      tun: w.tun !== undefined && tunNow !== undefined ? delta(w.tun, tunNow) : undefined,
      gso: tun?.gso ?? false,
    });
  } else if (cmd.startsWith('wait-rx ')) {
    const want = Number(cmd.slice('wait-rx '.length));
    const base = window?.pump.rxBytes ?? 0;
    // Polled, not hooked into the pump: 5 ms wake-ups cost nothing beside the data path's own.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if ((tunnel.stats ?? ZERO).rxBytes - base >= want) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    emit({ event: 'rx' });
  } else if (cmd === 'stop') {
    lag.disable();
    lines.close();
    await stop();
    break;
  } else if (cmd !== '') {
    emit({ event: 'error', message: `unknown command ${JSON.stringify(cmd)}` });
  }
}
