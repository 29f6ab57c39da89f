// `causeway connect A B C` for real: three split-tunnel profiles to one SoftEther server in one
// process, each with its own helper, TUN and route to its own address behind the server (extra
// addresses on the server's bridge), a byte-exact download through each TUN at the same time,
// `causeway status` listing all three, then SIGINT: every TUN, route and helper gone, exit 0. One
// failing session (a user the server does not know) leaves the other up and sets the exit code.
// And what is refused before anything starts: two full tunnels, --interface, the kill switch, one
// route in two sessions.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { netnsPids, run, sleep, tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type BlobInfo, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess, type CliProcess } from '../../support/cli-process.js';
import { runCli, type CliRun } from '../../support/run-cli.js';

const skip = integrationSkip();
const INDEX = 83;
/** One address per session behind the server, on its bridge beside 192.168.30.5. */
const ADDRESSES = ['10.77.1.1', '10.77.2.1', '10.77.3.1'];
const PROFILES = ['many-1', 'many-2', 'many-3'];

function ok(r: CliRun, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
}

describe('causeway connect of several profiles in one process, through SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let blob: BlobInfo;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cw = (args: string[], stdin?: string) => runCli(args, stdin, { env, timeoutMs: 30_000 });

  before(async () => {
    server = await startSoftEther({ name: 'cw-many', http: true });
    for (const a of ADDRESSES) await run(tool('ip'), ['-n', server.netns, 'addr', 'add', `${a}/32`, 'dev', 'tap_soft']);
    blob = await server.writeRandomBlob('many2m.bin', 2 * 1024 * 1024);
    client = await startClientNetns(server.netns, INDEX);
    dir = await mkdtemp(join(tmpdir(), 'cw-many-'));
    env = {
      ...process.env,
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_STATE_HOME: join(dir, 'state'),
      XDG_RUNTIME_DIR: join(dir, 'run'),
    };
    // No password saved (no keychain here): each run passes it with --password-stdin.
    const add = (name: string, user: string, route: string) =>
      cw([
        'profiles',
        'add',
        name,
        '--server',
        client.serverAddress,
        '--user',
        user,
        '--insecure',
        '--no-dns',
        '--split',
        route,
      ]);
    for (const [i, name] of PROFILES.entries()) ok(await add(name, 'testuser', `${ADDRESSES[i]}/32`), `add ${name}`);
    ok(await add('many-bad', 'nosuchuser', '10.77.9.1/32'), 'add many-bad');
  });
  after(async () => {
    await client?.stop();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const connect = (args: string[]): CliProcess =>
    startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['connect', ...args, '--password-stdin', '--json'],
      server.users.password,
      env,
    );

  async function rxBytes(iface: string): Promise<number> {
    const r = await client.exec(tool('cat'), [`/sys/class/net/${iface}/statistics/rx_bytes`]);
    return Number(r.stdout.trim());
  }

  async function download(address: string): Promise<string> {
    const url = `http://${address}:8080/${blob.name}`;
    const r = await client.exec('/bin/sh', ['-c', `curl -sS --max-time 60 ${url} | sha256sum`], { timeoutMs: 70_000 });
    return r.stdout.split(' ')[0] ?? '';
  }

  async function routeDev(address: string): Promise<string> {
    return (await client.routeGet(address).catch(() => ({ dev: 'none' }))).dev;
  }

  /** Polls (bounded) until none of `ifaces` exists, no route to ADDRESSES leads anywhere, no process is left. */
  async function allGone(ifaces: readonly string[], limitMs: number): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      const links = await client.links();
      const devs = await Promise.all(ADDRESSES.map(routeDev));
      const pids = await netnsPids(client.name);
      const left = ifaces.filter((i) => links.includes(i));
      if (left.length === 0 && devs.every((d) => d === 'none') && pids.length === 0) return;
      if (Date.now() - t0 > limitMs)
        assert.fail(
          `after ${limitMs} ms: links ${left.join(',')}, routes via ${devs.join(',')}, pids ${pids.join(',')}`,
        );
      await sleep(50);
    }
  }

  it(
    'three split tunnels: own TUN and route each, downloads through all at once, status lists them, SIGINT undoes all',
    { timeout: 120_000 },
    async () => {
      const cli = connect(PROFILES);
      try {
        const up: Record<string, Record<string, unknown>> = {};
        for (const name of PROFILES)
          up[name] = await cli.waitFor((e) => e['event'] === 'connected' && e['target'] === name, 45_000);
        const ifaces = PROFILES.map((n) => String(up[n]?.['interface']));
        assert.equal(new Set(ifaces).size, 3, `three different TUNs: ${ifaces.join(', ')}`);
        assert.equal(new Set(PROFILES.map((n) => String(up[n]?.['address']))).size, 3, 'three tunnel addresses');
        for (const [i, a] of ADDRESSES.entries()) assert.equal(await routeDev(a), ifaces[i], `${a} through its TUN`);
        assert.equal(await routeDev('192.168.30.5'), 'none', 'split tunnels: nothing else is routed');

        const before = await Promise.all(ifaces.map(rxBytes));
        const sums = await Promise.all(ADDRESSES.map(download));
        assert.deepEqual(sums, [blob.sha256, blob.sha256, blob.sha256], 'each download matches byte for byte');
        const after = await Promise.all(ifaces.map(rxBytes));
        for (const [i, iface] of ifaces.entries())
          assert.ok(
            (after[i] ?? 0) - (before[i] ?? 0) >= blob.size,
            `${iface} carried its own download (${(after[i] ?? 0) - (before[i] ?? 0)} bytes)`,
          );

        const status = await cw(['status', '--json']);
        ok(status, 'status');
        const tunnels = (status.result?.['tunnels'] ?? []) as { name: string; interface?: string; pid: number }[];
        assert.deepEqual(
          tunnels.map((t) => [t.name, t.interface]).sort(),
          PROFILES.map((n, i) => [n, ifaces[i]]),
          `status lists each session with its TUN: ${status.stdout}`,
        );
        assert.equal(new Set(tunnels.map((t) => t.pid)).size, 1, 'all in one process');

        cli.child.kill('SIGINT');
        assert.equal(await cli.exited, 0, cli.output());
        for (const name of PROFILES)
          assert.ok(
            cli.events.some((e) => e['event'] === 'disconnected' && e['target'] === name && e['reason'] === null),
            `${name} disconnected cleanly`,
          );
        const ended = cli.events.find((e) => e['event'] === 'ended');
        assert.deepEqual(
          (ended?.['sessions'] as { exitCode: number }[]).map((s) => s.exitCode),
          [0, 0, 0],
        );
        await allGone(ifaces, 5_000);
        const after2 = await cw(['status', '--json']);
        ok(after2, 'status after');
        assert.deepEqual(after2.result?.['tunnels'], [], 'status lists none');
      } finally {
        cli.child.kill('SIGKILL');
      }
    },
  );

  it(
    'a session that fails (unknown user) leaves the other up; the exit code says auth failed',
    { timeout: 90_000 },
    async () => {
      const cli = connect(['many-1', 'many-bad']);
      try {
        const up = await cli.waitFor((e) => e['event'] === 'connected' && e['target'] === 'many-1', 45_000);
        const gone = await cli.waitFor(
          (e) => e['event'] === 'disconnected' && e['target'] === 'many-bad' && e['reason'] !== null,
          45_000,
        );
        assert.equal((gone['reason'] as { code: string }).code, 'auth-failed', JSON.stringify(gone));
        assert.equal(await routeDev('10.77.9.1'), 'none', 'the failed session left no route');
        // many-1 is still up and carries traffic after its neighbour gave up.
        assert.equal(await download(ADDRESSES[0] ?? ''), blob.sha256);
        cli.child.kill('SIGTERM');
        assert.equal(await cli.exited, 5, cli.output());
        const ended = cli.events.find((e) => e['event'] === 'ended');
        assert.deepEqual(
          (ended?.['sessions'] as { target: string; exitCode: number }[]).map((s) => [s.target, s.exitCode]),
          [
            ['many-1', 0],
            ['many-bad', 5],
          ],
        );
        await allGone([String(up['interface'])], 5_000);
      } finally {
        cli.child.kill('SIGKILL');
      }
    },
  );

  it('refuses, before anything starts, what cannot work side by side', { timeout: 90_000 }, async () => {
    const refused = async (args: string[], pattern: RegExp) => {
      const r = await runCli(['connect', ...args, '--password-stdin'], server.users.password, {
        env,
        timeoutMs: 30_000,
      });
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /nothing was connected/);
    };
    const host = client.serverAddress;
    const adHoc = ['--user', 'testuser', '--insecure'];
    await refused([host, `${host}:443`, ...adHoc], /are all full tunnels: each captures all traffic/);
    await refused(
      ['many-1', 'many-2', '--kill-switch', 'on'],
      /kill switch is on for "many-1", "many-2".*--kill-switch off/,
    );
    await refused(
      ['many-1', 'many-2', '--no-default-route', '--route', '10.77.1.1/32'],
      /route 10\.77\.1\.1\/32 is in both/,
    );
    const iface = await runCli(['connect', 'many-1', 'many-2', '--interface', 'vpn7'], undefined, { env });
    assert.equal(iface.code, 2);
    assert.match(iface.stderr, /--interface names one TUN device/);
    const twice = await runCli(['connect', 'many-1', 'many-1'], undefined, { env });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /many-1 is given twice/);
  });
});
