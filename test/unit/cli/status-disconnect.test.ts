// `causeway status` and `causeway disconnect` in-process against control servers in a temporary
// registry, the status tracker over a scripted tunnel, and the formatting of a status.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Command } from 'commander';
import type { CliContext } from '../../../main/cli/context.js';
import { registerDisconnectCommand, selectTunnels } from '../../../main/cli/commands/disconnect.js';
import { registerStatusCommand } from '../../../main/cli/commands/status.js';
import { formatBytes, formatDuration, formatStatus } from '../../../main/cli/status-format.js';
import { statusTracker, type ObservedTunnel } from '../../../main/cli/tunnel-registration.js';
import type { TunnelState } from '../../../main/engine/datapath/tunnel.js';
import type { PumpStats } from '../../../main/engine/datapath/pump.js';
import { ControlServer } from '../../../main/services/runtime/control-server.js';
import type { RegisteredTunnel } from '../../../main/services/runtime/registry.js';
import { ensureRuntimeDir } from '../../../main/services/runtime/runtime-dir.js';
import type { TunnelInfo } from '../../../main/engine/session.js';

const uid = process.getuid?.() ?? 0;
const me = { uid, gid: process.getgid?.() ?? 0 };

class ScriptedTunnel implements ObservedTunnel {
  state: TunnelState = { state: 'connecting', attempt: 1 };
  stats: PumpStats | undefined;
  private readonly listeners = new Set<(s: TunnelState) => void>();
  onState(l: (s: TunnelState) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  set(s: TunnelState): void {
    this.state = s;
    for (const l of this.listeners) l(s);
  }
  up(name: string, reconnects = 0): void {
    this.set({
      state: 'connected',
      interfaceName: name,
      ipv4: { local: '192.168.30.10', peer: '192.168.30.1', dns: ['192.168.30.1'] },
      mtu: 1400,
      routing: { mode: 'split', routes: ['192.168.30.0/24'] },
      dns: ['192.168.30.1'],
      info: {} as TunnelInfo,
      reconnects,
    });
  }
}

const stats = (rx: number, tx: number): PumpStats => ({
  rxBytes: rx,
  txBytes: tx,
  rxPackets: 3,
  txPackets: 4,
  txDropped: 0,
  tlsStalls: 0,
  tunStalls: 0,
});

let dir: string;
let servers: ControlServer[];
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'cw-status-')), 'causeway');
  assert.ok(ensureRuntimeDir(dir, me, uid).ok);
  servers = [];
});
afterEach(async () => {
  for (const s of servers) await s.close();
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

/** A fake `connect` process: its tracker behind a real control server. */
async function fakeConnect(
  pid: number,
  name: string,
  clock: { t: number },
): Promise<{ tunnel: ScriptedTunnel; stops: () => number; server: ControlServer }> {
  const tunnel = new ScriptedTunnel();
  const tracker = statusTracker({
    name,
    profileId: `id-${name}`,
    server: '192.0.2.1:443',
    tunnel,
    now: () => clock.t,
    pid,
  });
  let stops = 0;
  const held: { server?: ControlServer } = {};
  const opened = await ControlServer.open(
    dir,
    { pid, name, owner: me, selfUid: uid },
    {
      status: tracker.status,
      requestStop: () => {
        stops++;
        tunnel.set({ state: 'disconnected', reason: null });
        setImmediate(() => void held.server?.close());
      },
    },
  );
  assert.ok(opened.ok);
  held.server = opened.server;
  servers.push(opened.server);
  return { tunnel, stops: () => stops, server: opened.server };
}

async function cw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let code = 0;
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: Readable.from([]),
    env: {},
    setExitCode: (c) => void (code = c),
  };
  const program = new Command('causeway')
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr });
  const alive = () => true;
  registerStatusCommand(program, ctx, { dir, alive, now: () => 100_000 });
  registerDisconnectCommand(program, ctx, { dir, alive });
  await program.parseAsync(['node', 'causeway', ...args]);
  return { code, stdout, stderr };
}

describe('status', () => {
  it('lists each tunnel with profile, addresses, interface, uptime and traffic (text and JSON)', async () => {
    const clock = { t: 1_000 };
    const lab = await fakeConnect(101, 'Lab', clock);
    clock.t = 40_000;
    lab.tunnel.up('causeway0');
    lab.tunnel.stats = stats(2_500_000, 1234);
    await fakeConnect(102, 'Office', clock);

    const json = await cw(['status', '--json']);
    assert.equal(json.code, 0);
    const out = JSON.parse(json.stdout) as { event: string; tunnels: Record<string, unknown>[] };
    assert.equal(out.event, 'status');
    assert.equal(out.tunnels.length, 2);
    const t = out.tunnels.find((x) => x['name'] === 'Lab');
    assert.ok(t);
    assert.equal(t['state'], 'connected');
    assert.equal(t['profileId'], 'id-Lab');
    assert.equal(t['interface'], 'causeway0');
    assert.deepEqual(t['ipv4'], { address: '192.168.30.10', peer: '192.168.30.1' });
    assert.deepEqual(t['routes'], ['192.168.30.0/24']);
    assert.deepEqual(t['bytes'], { rx: 2_500_000, tx: 1234 });
    assert.equal(t['uptimeMs'], 60_000);
    assert.equal(out.tunnels.find((x) => x['name'] === 'Office')?.['state'], 'connecting');

    const text = await cw(['status']);
    assert.match(text.stdout, /Lab: connected \(pid 101\)/);
    assert.match(text.stdout, /interface {2}causeway0/);
    assert.match(text.stdout, /uptime {5}1m 0s/);
    assert.match(text.stdout, /in 2\.5 MB \(3 packets\), out 1\.2 kB/);
    assert.match(text.stdout, /Office: connecting/);
  });

  it('says so when nothing is up', async () => {
    assert.deepEqual(await cw(['status']), { code: 0, stdout: 'No tunnels are up.\n', stderr: '' });
  });
});

describe('disconnect', () => {
  it('brings down the named tunnel only, and returns once it reports the teardown done', async () => {
    const clock = { t: 0 };
    const lab = await fakeConnect(201, 'Lab', clock);
    const office = await fakeConnect(202, 'Office', clock);
    const r = await cw(['disconnect', 'lab', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { event: 'disconnected', name: 'Lab', pid: 201, interface: null });
    assert.equal(lab.stops(), 1);
    assert.equal(office.stops(), 0);
    const left = JSON.parse((await cw(['status', '--json'])).stdout) as { tunnels: { name: string }[] };
    assert.deepEqual(
      left.tunnels.map((t) => t.name),
      ['Office'],
    );
  });

  it('with no name: the only tunnel; with several, a usage error naming them; --all takes every one', async () => {
    const clock = { t: 0 };
    const a = await fakeConnect(301, 'A', clock);
    const b = await fakeConnect(302, 'B', clock);
    const ambiguous = await cw(['disconnect']);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /2 tunnels are up \(A, B\)/);
    const all = await cw(['disconnect', '--all']);
    assert.equal(all.code, 0);
    assert.match(all.stdout, /disconnected A\n/);
    assert.match(all.stdout, /disconnected B\n/);
    assert.equal(a.stops() + b.stops(), 2);
    assert.equal((await cw(['disconnect', '--all'])).stdout, 'No tunnels were up.\n');
    const none = await cw(['disconnect']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No tunnel is up/);
  });

  it('an unknown name fails with 1; a name and --all together are a usage error', async () => {
    await fakeConnect(401, 'Lab', { t: 0 });
    const unknown = await cw(['disconnect', 'Nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No tunnel named "Nope"/);
    assert.equal((await cw(['disconnect', 'Lab', '--all'])).code, 2);
  });
});

describe('selection and formatting', () => {
  const entry = (name: string, pid: number, iface: string | null): RegisteredTunnel => ({
    socket: `/x/${pid}.sock`,
    status: {
      pid,
      name,
      profileId: `p-${pid}`,
      server: 's',
      state: 'connected',
      interface: iface,
      ipv4: null,
      routes: [],
      dns: [],
      startedAt: 0,
      connectedAt: 0,
      reconnects: 0,
      bytes: { rx: 0, tx: 0 },
      packets: { rx: 0, tx: 0 },
      lastFailure: null,
    },
  });
  it('matches a name in any case, a profile id, an interface or a pid', () => {
    const up = [entry('Lab', 1, 'causeway0'), entry('Office', 2, 'causeway1')];
    for (const ref of ['office', 'p-2', 'causeway1', '2']) {
      const s = selectTunnels(up, ref, false);
      assert.ok(s.ok && s.chosen.length === 1 && s.chosen[0]?.status.name === 'Office', ref);
    }
  });

  it('formats durations and byte counts', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(61_000), '1m 1s');
    assert.equal(formatDuration(3_723_000), '1h 2m 3s');
    assert.equal(formatDuration(90_061_000), '1d 1h 1m');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1_000), '1.0 kB');
    assert.equal(formatBytes(12_345_678_901), '12.3 GB');
  });

  it('a reconnecting tunnel shows its last failure and no uptime', () => {
    const clock = { t: 0 };
    const tunnel = new ScriptedTunnel();
    const tracker = statusTracker({ name: 'Lab', profileId: null, server: 's', tunnel, now: () => clock.t, pid: 5 });
    tunnel.up('causeway0');
    tunnel.set({
      state: 'reconnecting',
      attempt: 1,
      delayMs: 1000,
      reason: { phase: 'connected', code: 'dead-peer', message: 'The server stopped answering.' },
    });
    const s = tracker.status();
    assert.equal(s.connectedAt, null);
    assert.deepEqual(s.lastFailure, {
      phase: 'connected',
      code: 'dead-peer',
      message: 'The server stopped answering.',
    });
    const text = formatStatus([s], 10);
    assert.match(text, /Lab: reconnecting/);
    assert.match(text, /last error The server stopped answering\./);
    assert.doesNotMatch(text, /uptime/);
    tunnel.up('causeway0', 1);
    assert.equal(tracker.status().reconnects, 1);
    tracker.dispose();
  });
});
