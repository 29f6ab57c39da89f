// A laptop's life against the SoftEther test server, for the integration test and its bench:
// `causeway connect` in a client namespace, then (1) the process frozen with SIGSTOP past the
// server's timeout, (2) a silent outage ended by logind's PrepareForSleep(false) on a private test
// bus, (3) the route to the server removed and restored, with the server's SYNs counted by nft.
import { performance } from 'node:perf_hooks';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { startTestSystemBus, type TestSystemBus } from '../harness/fake-logind.js';
import { runInNetns, sleep, tool } from '../harness/netns.js';
import { startSoftEther, type SoftEtherServer } from '../harness/softether.js';
import { startCliProcess, type CliProcess } from './cli-process.js';

/** SoftEther's SSTP timeout is 10 s (20 s in builds that take the hub policy's); freeze past both. */
export const PAST_SERVER_TIMEOUT_MS = 25_000;

export interface LifeLab {
  readonly server: SoftEtherServer;
  readonly client: ClientNetns;
  readonly bus: TestSystemBus;
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startLifeLab(index = 13): Promise<LifeLab> {
  const server = await startSoftEther({ name: 'cw-life', bridge: true });
  let client: ClientNetns | undefined;
  let bus: TestSystemBus | undefined;
  try {
    client = await startClientNetns(server.netns, index);
    bus = await startTestSystemBus();
    await countSyns(server, 'setup');
  } catch (e) {
    await bus?.stop();
    await client?.stop();
    await server.stop();
    throw e;
  }
  const home = mkdtempSync(join(tmpdir(), 'cw-life-'));
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
    HOME: home,
    DBUS_SYSTEM_BUS_ADDRESS: bus.address,
  };
  return {
    server,
    client,
    bus,
    env,
    async stop() {
      await bus.stop();
      await client.stop();
      await server.stop();
    },
  };
}

/** An event of `connect --json`, stamped when it arrived (performance.now()). */
export interface TimedEvent {
  readonly t: number;
  readonly e: Record<string, unknown>;
}

export interface TimedConnect {
  readonly cli: CliProcess;
  readonly timed: TimedEvent[];
  /** The first event matching `pred` that arrived after `since`, waited for up to timeoutMs. */
  next(pred: (e: Record<string, unknown>) => boolean, since: number, timeoutMs: number): Promise<TimedEvent>;
  stop(): Promise<void>;
}

/**
 * `causeway connect` to the lab server in the client namespace. --keepalive 60: the tunnel's own
 * dead-peer timer (two intervals) stays out of these runs, so only the watchers can notice.
 */
export function startConnect(lab: LifeLab): TimedConnect {
  const cli = startCliProcess(
    ['ip', 'netns', 'exec', lab.client.name],
    [
      'connect',
      lab.client.serverAddress,
      '--user',
      'testuser',
      '--password-stdin',
      '--pin',
      `sha256:${lab.server.certDerSha256}`,
      '--no-default-route',
      '--route',
      '192.168.30.0/24',
      '--no-dns',
      '--keepalive',
      '60',
      '--json',
      '--verbose',
    ],
    'testpass',
    lab.env,
  );
  const timed: TimedEvent[] = [];
  let partial = '';
  cli.child.stdout?.on('data', (d: Buffer) => {
    const t = performance.now();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        timed.push({ t, e: JSON.parse(line) as Record<string, unknown> });
      } catch {
        // not JSON
      }
    }
  });
  return {
    cli,
    timed,
    async next(pred, since, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const hit = timed.find((x) => x.t >= since && pred(x.e));
        if (hit) return hit;
        if (cli.child.exitCode !== null) throw new Error(`connect exited early\n${cli.output()}`);
        if (performance.now() > deadline) throw new Error(`no such event within ${timeoutMs} ms\n${cli.output()}`);
        await sleep(20);
      }
    },
    async stop() {
      cli.child.kill('SIGTERM');
      const done = await Promise.race([cli.exited, sleep(10_000).then(() => 'timeout' as const)]);
      if (done === 'timeout') cli.child.kill('SIGKILL');
    },
  };
}

export const isEvent =
  (name: string) =>
  (e: Record<string, unknown>): boolean =>
    e['event'] === name;

/** From the signal (or SIGCONT, or the route's return) to the states that follow. */
export interface Recovery {
  readonly toReconnectingMs: number;
  readonly toConnectedMs: number;
  /** The events in between, by name. */
  readonly path: readonly string[];
}

async function recovery(c: TimedConnect, from: number, budgetMs: number): Promise<Recovery> {
  const reconnecting = await c.next(isEvent('reconnecting'), from, budgetMs);
  const connected = await c.next(isEvent('connected'), reconnecting.t, 30_000);
  return {
    toReconnectingMs: reconnecting.t - from,
    toConnectedMs: connected.t - from,
    path: c.timed
      .filter((x) => x.t >= from && x.t <= connected.t && x.e['event'] !== 'log')
      .map((x) => String(x.e['event'])),
  };
}

/** (1) SIGSTOP the connect process past the server's timeout, SIGCONT, time the recovery. */
export async function freezeAndResume(c: TimedConnect, freezeMs = PAST_SERVER_TIMEOUT_MS): Promise<Recovery> {
  const pid = c.cli.child.pid;
  if (pid === undefined) throw new Error('connect has no pid');
  process.kill(pid, 'SIGSTOP');
  await sleep(freezeMs);
  process.kill(pid, 'SIGCONT');
  return recovery(c, performance.now(), 5_000);
}

/**
 * (2) A suspend as the network sees it, without freezing us: everything between the namespaces is
 * dropped past the server's timeout (the server gives the session up; its FIN is lost), then the
 * path is back and logind says PrepareForSleep(false). Only that signal tells us to look.
 */
export async function silentOutageThenResume(
  lab: LifeLab,
  c: TimedConnect,
  outageMs = PAST_SERVER_TIMEOUT_MS,
): Promise<Recovery> {
  lab.bus.prepareForSleep(true);
  await dropAll(lab.client, true);
  try {
    await sleep(outageMs);
  } finally {
    await dropAll(lab.client, false);
  }
  const from = performance.now();
  lab.bus.prepareForSleep(false);
  return recovery(c, from, 5_000);
}

async function dropAll(client: ClientNetns, on: boolean): Promise<void> {
  const nft = tool('nft');
  if (on)
    await runInNetns(client.name, nft, [
      '-f',
      rulesFile(
        `table inet cwlife {\n chain in {\n  type filter hook input priority 0;\n  ip saddr ${client.serverAddress} drop\n }\n chain out {\n  type filter hook output priority 0;\n  ip daddr ${client.serverAddress} drop\n }\n}\n`,
      ),
    ]);
  else await runInNetns(client.name, nft, ['delete', 'table', 'inet', 'cwlife'], { allowFailure: true });
}

export interface RouteGap {
  /** Connection attempts (SYNs to :443) the server saw while there was no route. */
  readonly synsWhileGone: number;
  readonly synsAfter: number;
  /** From the route's removal to 'waiting-for-network'. */
  readonly toWaitingMs: number;
  /** From the route's return to connected. */
  readonly backToConnectedMs: number;
  /** reconnecting events (each one an attempt scheduled) while the route was gone. */
  readonly reconnectingWhileGone: number;
  readonly path: readonly string[];
}

/** (3) Remove every route to the server in the client namespace for gapMs, then restore them. */
export async function routeGap(lab: LifeLab, c: TimedConnect, gapMs = 8_000): Promise<RouteGap> {
  const removed = await removeRoutesTo(lab.client);
  const gone = performance.now();
  const synsBefore = await countSyns(lab.server, 'read');
  let waiting: TimedEvent;
  try {
    waiting = await c.next(isEvent('waiting-for-network'), gone, 5_000);
    await sleep(Math.max(0, gapMs - (performance.now() - gone)));
  } finally {
    await restoreRoutes(lab.client, removed);
  }
  const back = performance.now();
  const synsGone = (await countSyns(lab.server, 'read')) - synsBefore;
  const connected = await c.next(isEvent('connected'), back, 30_000);
  const synsAfter = (await countSyns(lab.server, 'read')) - synsBefore - synsGone;
  return {
    synsWhileGone: synsGone,
    synsAfter,
    toWaitingMs: waiting.t - gone,
    backToConnectedMs: connected.t - back,
    reconnectingWhileGone: c.timed.filter((x) => x.t > waiting.t && x.t < back && x.e['event'] === 'reconnecting')
      .length,
    path: c.timed
      .filter((x) => x.t >= gone && x.t <= connected.t && x.e['event'] !== 'log')
      .map((x) => String(x.e['event'])),
  };
}

interface RouteEntry {
  dst: string;
  dev?: string;
  gateway?: string;
  prefsrc?: string;
  protocol?: string;
  scope?: string;
}

async function removeRoutesTo(client: ClientNetns): Promise<RouteEntry[]> {
  const ip = tool('ip');
  const r = await client.exec(ip, ['-j', 'route', 'show']);
  const prefix = client.serverAddress.split('.').slice(0, 3).join('.') + '.';
  const mine = (JSON.parse(r.stdout) as RouteEntry[]).filter((e) => e.dst === 'default' || e.dst.startsWith(prefix));
  for (const e of mine) await client.exec(ip, ['route', 'del', e.dst, ...(e.dev ? ['dev', e.dev] : [])]);
  return mine;
}

async function restoreRoutes(client: ClientNetns, routes: readonly RouteEntry[]): Promise<void> {
  const ip = tool('ip');
  // The on-link prefix first: a host route or a gateway needs it.
  const order = [...routes].sort((a, b) => Number(b.dst.includes('/')) - Number(a.dst.includes('/')));
  for (const e of order)
    await client.exec(ip, [
      'route',
      'add',
      e.dst,
      ...(e.gateway ? ['via', e.gateway] : []),
      ...(e.dev ? ['dev', e.dev] : []),
      ...(e.prefsrc ? ['src', e.prefsrc] : []),
      ...(e.protocol ? ['proto', e.protocol] : []),
      ...(e.scope ? ['scope', e.scope] : []),
    ]);
}

/** 'setup' installs a counter of SYNs to :443 in the server namespace; 'read' returns its packets. */
async function countSyns(server: SoftEtherServer, what: 'setup' | 'read'): Promise<number> {
  const nft = tool('nft');
  if (what === 'setup') {
    await runInNetns(server.netns, nft, [
      '-f',
      rulesFile(
        'table inet cwsyns {\n chain in {\n  type filter hook input priority -10;\n  tcp dport 443 tcp flags & (syn | ack) == syn counter\n }\n}\n',
      ),
    ]);
    return 0;
  }
  const r = await runInNetns(server.netns, nft, ['-j', 'list', 'table', 'inet', 'cwsyns']);
  const m = /"packets":\s*(\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : 0;
}

function rulesFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cw-nft-')), 'rules.nft');
  writeFileSync(path, text);
  return path;
}

/** Median of a list of figures (the bench's ten runs). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}
