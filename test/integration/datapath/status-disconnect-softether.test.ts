// `causeway status` and `causeway disconnect` from a second process, against a live tunnel that
// `causeway connect` holds up to the SoftEther test server in a client network namespace.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readResolvConf, startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess } from '../../support/cli-process.js';
import { runCli } from '../../support/run-cli.js';

const skip = integrationSkip();
const BRIDGE_HOST = '192.168.30.5';
// connect runs as root (in the netns): its registry is /run/causeway, which the host shares.
const REGISTRY = '/run/causeway';

interface StatusTunnel {
  pid: number;
  name: string;
  profileId: string | null;
  state: string;
  interface: string | null;
  ipv4: { address: string; peer: string | null } | null;
  routes: string[];
  bytes: { rx: number; tx: number };
  packets: { rx: number; tx: number };
  uptimeMs: number | null;
}

describe('causeway status / disconnect from another process', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = await startSoftEther({ name: 'cw-st', bridge: true });
    client = await startClientNetns(server.netns, 2);
    const home = mkdtempSync(join(tmpdir(), 'cw-status-'));
    env = { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), HOME: home };
    const add = await runCli(
      [
        'profiles',
        'add',
        'StatusLab',
        '--server',
        client.serverAddress,
        '--user',
        'testuser',
        '--pin',
        `sha256:${server.certDerSha256}`,
        '--split',
        '192.168.30.0/24',
        '--no-dns',
      ],
      undefined,
      { env },
    );
    assert.equal(add.code, 0, add.stdout + add.stderr);
  });
  after(async () => {
    await client?.stop();
    await server?.stop();
  });

  async function statusOf(name: string): Promise<StatusTunnel | undefined> {
    const r = await runCli(['status', '--json'], undefined, { env });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { event: string; tunnels: StatusTunnel[] };
    assert.equal(out.event, 'status');
    return out.tunnels.find((t) => t.name === name);
  }

  async function ping(target: string): Promise<boolean> {
    const r = await client.exec(tool('ping'), ['-c', '3', '-i', '0.2', '-W', '2', target], {
      allowFailure: true,
      timeoutMs: 20_000,
    });
    return r.code === 0;
  }

  it('status shows the profile, address, interface, uptime and traffic; disconnect NAME tears it down and connect exits 0', async () => {
    const cli = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['connect', 'StatusLab', '--password-stdin', '--json'],
      'testpass',
      env,
    );
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const iface = String(up['interface']);
      assert.ok(await ping(BRIDGE_HOST), 'traffic through the tunnel');

      const t = await statusOf('StatusLab');
      assert.ok(t, 'the tunnel is listed');
      assert.equal(t.state, 'connected');
      assert.equal(t.pid, cli.child.pid);
      assert.match(String(t.profileId), /^[0-9a-f-]{36}$/);
      assert.equal(t.interface, iface);
      assert.equal(t.ipv4?.address, up['address']);
      assert.equal(t.ipv4?.peer, up['peer']);
      assert.deepEqual(t.routes, ['192.168.30.0/24']);
      assert.ok(t.bytes.rx > 0 && t.bytes.tx > 0, JSON.stringify(t.bytes));
      assert.ok(t.packets.rx >= 3 && t.packets.tx >= 3, JSON.stringify(t.packets));
      assert.ok(t.uptimeMs !== null && t.uptimeMs >= 0);

      const text = await runCli(['status'], undefined, { env });
      assert.match(text.stdout, /StatusLab: connected/);
      assert.match(text.stdout, new RegExp(`interface  ${iface}`));

      const down = await runCli(['disconnect', 'StatusLab'], undefined, { env });
      assert.equal(down.code, 0, down.stdout + down.stderr);
      assert.equal(down.stdout, `disconnected StatusLab (${iface})\n`);
      // disconnect returns once the teardown is done: nothing of the tunnel is left at this point.
      assert.ok(!(await client.links()).includes(iface), 'interface gone');
      assert.notEqual((await client.routeGet(BRIDGE_HOST).catch(() => ({ dev: 'none' }))).dev, iface, 'route gone');
      assert.equal(readResolvConf(client), client.originalResolvConf);

      assert.equal(await cli.exited, 0, cli.output());
      assert.ok(cli.events.some((e) => e['event'] === 'disconnected' && e['reason'] === null));
      assert.equal(await statusOf('StatusLab'), undefined);
      assert.ok(!existsSync(join(REGISTRY, `${cli.child.pid}.sock`)), 'socket removed');
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('a connect killed with -9 leaves a stale socket that status ignores and removes; disconnect --all reaches a host-argument tunnel', async () => {
    const killed = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['connect', 'StatusLab', '--password-stdin', '--json'],
      'testpass',
      env,
    );
    let other: ReturnType<typeof startCliProcess> | undefined;
    try {
      await killed.waitFor((e) => e['event'] === 'connected', 30_000);
      const sock = join(REGISTRY, `${killed.child.pid}.sock`);
      assert.ok(existsSync(sock));
      killed.child.kill('SIGKILL');
      await killed.exited;
      assert.ok(existsSync(sock), 'kill -9 leaves the socket behind');
      assert.equal(await statusOf('StatusLab'), undefined, 'a dead tunnel is not reported');
      assert.ok(!existsSync(sock), 'and its socket is cleaned away');

      other = startCliProcess(
        ['ip', 'netns', 'exec', client.name],
        [
          'connect',
          client.serverAddress,
          '--user',
          'testuser',
          '--password-stdin',
          '--insecure',
          '--no-default-route',
          '--route',
          '192.168.30.0/24',
          '--no-dns',
          '--json',
        ],
        'testpass',
        env,
      );
      const up = await other.waitFor((e) => e['event'] === 'connected', 30_000);
      const t = await statusOf(client.serverAddress);
      assert.ok(t && t.profileId === null && t.interface === up['interface']);
      const all = await runCli(['disconnect', '--all', '--json'], undefined, { env });
      assert.equal(all.code, 0, all.stdout + all.stderr);
      assert.ok(all.events.some((e) => e['event'] === 'disconnected' && e['name'] === client.serverAddress));
      assert.equal(await other.exited, 0, other.output());
      assert.ok(!(await client.links()).includes(String(up['interface'])));
      assert.deepEqual(
        readdirSync(REGISTRY).filter((n) => n === `${other?.child.pid}.sock`),
        [],
      );
    } finally {
      killed.child.kill('SIGKILL');
      other?.child.kill('SIGKILL');
    }
  });
});
