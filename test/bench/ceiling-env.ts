// What ceiling.ts runs on, made and removed in one place: the far namespace (the endpoint, and in
// tcp mode its TUN and the TCP server), the client namespace joined to it by a veth, the engine
// in the client namespace. Far end on core 1, client on core 0, so each side's CPU is its own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from '../harness/cleanup.js';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { createNetns, deleteNetns, deleteNetnsSync, run, tool } from '../harness/netns.js';
import { spawnJsonChild, type JsonChild } from '../support/json-child.js';
import { sumSched, type SchedTimes } from './schedstat.js';
import { childPids, sumCpuSeconds } from './throughput-lib.js';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
export const FAR_NS = 'cw-f95';
export const FAR_TUN = 'cwfar0';
/** The far TUN's address: the peer's IPCP server address, so the client's view of the peer is true. */
export const FAR_ADDRESS = '10.77.0.1';
export const TCP_PORT = 5201;
const node = process.execPath;

export type Traffic = 'udp' | 'tcp';

export interface CeilingEnv {
  readonly ns: ClientNetns;
  readonly endpoint: JsonChild;
  readonly runner: JsonChild;
  readonly tcpServer: JsonChild | undefined;
  readonly sstpPort: number;
  readonly rawPort: number;
  readonly connected: Record<string, unknown>;
  readonly up: Record<string, unknown>;
  readonly farGso: boolean;
  /** CPU seconds so far of the endpoint (all threads). */
  farCpu(): number;
  /** CPU seconds so far of the TCP server behind the far TUN (0 in udp mode). */
  farAppCpu(): number;
  /** Run time and run-queue wait so far: the engine; the endpoint plus the TCP server. */
  clientSched(): SchedTimes;
  farSched(): SchedTimes;
  stop(): Promise<void>;
}

function inFar(args: readonly string[]): string[] {
  return ['netns', 'exec', FAR_NS, ...args];
}

const profileArgs = (dir: string | undefined, name: string): string[] =>
  dir === undefined
    ? []
    : ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${name}.cpuprofile`, '--cpu-prof-interval', '200'];

export async function startCeilingEnv(traffic: Traffic, profileDir: string | undefined): Promise<CeilingEnv> {
  const children: JsonChild[] = [];
  let ns: ClientNetns | undefined;
  deleteNetnsSync(FAR_NS);
  await createNetns(FAR_NS);
  const unregister = onProcessExit(() => deleteNetnsSync(FAR_NS));
  const stop = async (): Promise<void> => {
    // The engine first, so it disconnects cleanly while the far end still answers.
    for (const c of children) c.send('stop');
    await Promise.race([Promise.all(children.map((c) => c.exited)), new Promise((r) => setTimeout(r, 8000))]);
    for (const c of children) {
      try {
        if (c.child.pid !== undefined) process.kill(-c.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await ns?.stop();
    await run(tool('ip'), ['-n', FAR_NS, 'link', 'delete', FAR_TUN], { allowFailure: true });
    await deleteNetns(FAR_NS);
    unregister();
  };
  try {
    ns = await startClientNetns(FAR_NS, 95);
    if (traffic === 'tcp') {
      await run(tool('ip'), ['-n', FAR_NS, 'tuntap', 'add', 'dev', FAR_TUN, 'mode', 'tun']);
      // IPv6CP is rejected: no IPv6 on the far TUN either, so nothing but IPv4 reaches the relay.
      await run(tool('ip'), inFar([tool('sysctl'), '-qw', `net.ipv6.conf.${FAR_TUN}.disable_ipv6=1`]));
    }
    const endpoint = spawnJsonChild(
      tool('ip'),
      inFar([
        tool('taskset'),
        '-c',
        '1',
        node,
        ...profileArgs(profileDir, 'far-end'),
        '--import',
        'tsx',
        here('./ceiling-endpoint.ts'),
        ns.serverAddress,
        ...(traffic === 'tcp' ? ['--tun', FAR_TUN] : []),
      ]),
      '',
      { keepStdinOpen: true, detached: true },
    );
    children.push(endpoint);
    const listening = await endpoint.waitFor((e) => e.event === 'listening' || e.event === 'error', 30_000);
    if (listening.event !== 'listening') throw new Error(`endpoint: ${endpoint.output()}`);
    const sstpPort = listening.sstpPort as number;
    let tcpServer: JsonChild | undefined;
    if (traffic === 'tcp') {
      tcpServer = spawnJsonChild(
        tool('ip'),
        inFar([
          tool('taskset'),
          '-c',
          '1',
          node,
          '--import',
          'tsx',
          here('./tcp-server.ts'),
          '0.0.0.0',
          String(TCP_PORT),
        ]),
        '',
        { keepStdinOpen: true, detached: true },
      );
      children.push(tcpServer);
      await tcpServer.waitFor((e) => e.event === 'listening', 30_000);
    }
    const runner = spawnJsonChild(
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
        ...profileArgs(profileDir, 'engine'),
        '--import',
        'tsx',
        here('./throughput-runner.ts'),
        `${ns.serverAddress}:${sstpPort}`,
        '--interface',
        'cwceil0',
      ],
      'testpass\n',
      { detached: true, keepStdinOpen: true },
    );
    children.unshift(runner);
    const connected = await runner.waitFor((e) => e.event === 'connected' || e.event === 'error', 60_000);
    if (connected.event !== 'connected')
      throw new Error(`the tunnel did not come up: ${JSON.stringify(connected)}\n${runner.output()}`);
    const up = await endpoint.waitFor((e) => e.event === 'up', 10_000);
    if (traffic === 'tcp') {
      const ip = tool('ip');
      await run(ip, [
        '-n',
        FAR_NS,
        'addr',
        'add',
        FAR_ADDRESS,
        'peer',
        `${String(up.clientAddress)}/32`,
        'dev',
        FAR_TUN,
      ]);
      await run(ip, ['-n', FAR_NS, 'link', 'set', FAR_TUN, 'mtu', String(connected.mtu), 'up']);
    } else {
      // UDP downloads are counted and dropped at the client's input: the kernel's UDP delivery costs nothing.
      const rules = join(mkdtempSync(join(tmpdir(), 'cw-ceil-')), 'rules.nft');
      writeFileSync(
        rules,
        'table inet cwceil {\n  chain input {\n    type filter hook input priority 0;\n    udp dport 9 counter drop\n  }\n}\n',
      );
      await run(tool('ip'), ['netns', 'exec', ns.name, tool('nft'), '-f', rules]);
    }
    const cpuOf = (c: JsonChild | undefined): number =>
      c?.child.pid === undefined ? 0 : sumCpuSeconds([c.child.pid, ...childPids(c.child.pid)]);
    return {
      ns,
      endpoint,
      runner,
      tcpServer,
      sstpPort,
      rawPort: listening.rawPort as number,
      connected,
      up,
      farGso: listening.gso === true,
      farCpu: () => cpuOf(endpoint),
      farAppCpu: () => cpuOf(tcpServer),
      clientSched: () => sumSched([runner.child.pid]),
      farSched: () => sumSched([endpoint.child.pid, tcpServer?.child.pid]),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
