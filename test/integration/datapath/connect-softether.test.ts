// `causeway connect` for real: a client network namespace, the privileged helper, a TUN device,
// routes and DNS, traffic to a kernel endpoint behind SoftEther's local bridge, every teardown path,
// and reconnection after the server restarts or the path goes dark.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readResolvConf, startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { sleep, tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type BlobInfo, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess, type CliProcess } from '../../support/cli-process.js';
import { runCli } from '../../support/run-cli.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const skip = integrationSkip();
const BRIDGE_HOST = '192.168.30.5';

describe('causeway connect through SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let blob: BlobInfo;

  before(async () => {
    server = await startSoftEther({ name: 'cw-dp', http: true });
    blob = await server.writeRandomBlob('blob8m.bin', 8 * 1024 * 1024);
    client = await startClientNetns(server.netns, 1);
  });
  after(async () => {
    await client?.stop();
    await server?.stop();
  });

  const connect = (extra: string[] = []): CliProcess =>
    startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['connect', client.serverAddress, '--user', 'testuser', '--password-stdin', '--insecure', '--json', ...extra],
      'testpass',
    );

  async function download(): Promise<string> {
    const r = await client.exec('/bin/sh', ['-c', `curl -sS --max-time 60 ${blob.url} | sha256sum`], {
      timeoutMs: 70_000,
    });
    return r.stdout.split(' ')[0] ?? '';
  }

  async function ping(target: string, count = 3): Promise<boolean> {
    const r = await client.exec(tool('ping'), ['-c', String(count), '-i', '0.2', '-W', '2', target], {
      allowFailure: true,
      timeoutMs: 20_000,
    });
    return r.code === 0;
  }

  /** Polls until the tunnel's traces are gone; returns how long it took. */
  async function tracesGone(iface: string, limitMs: number): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const links = await client.links();
      const resolv = readResolvConf(client);
      const route = await client.routeGet(BRIDGE_HOST).catch(() => ({ dev: 'none' }));
      if (!links.includes(iface) && resolv === client.originalResolvConf && route.dev !== iface) return Date.now() - t0;
      if (Date.now() - t0 > limitMs) {
        assert.fail(
          `after ${limitMs} ms: links ${links.join(',')}, route via ${route.dev}, resolv.conf ${JSON.stringify(resolv)}`,
        );
      }
      await sleep(50);
    }
  }

  it('full tunnel: address, routes, DNS, ping and a byte-exact download; SIGTERM undoes everything', async () => {
    const cli = connect();
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const iface = String(up['interface']);
      assert.match(String(up['address']), /^192\.168\.30\.\d+$/);
      assert.deepEqual(up['dns'], ['192.168.30.1']);
      assert.equal((await client.routeGet(BRIDGE_HOST)).dev, iface, 'bridge host through the tunnel');
      assert.equal((await client.routeGet('198.51.100.7')).dev, iface, 'everything else through the tunnel too');
      assert.notEqual((await client.routeGet(client.serverAddress)).dev, iface, 'the SSTP server itself stays outside');
      assert.match(readResolvConf(client), /nameserver 192\.168\.30\.1/);
      assert.ok(await ping(BRIDGE_HOST), 'ping through the tunnel');
      assert.equal(await download(), blob.sha256, 'download matches byte for byte');

      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
      assert.ok(cli.events.some((e) => e['event'] === 'disconnected' && e['reason'] === null));
      const ms = await tracesGone(iface, 2_000);
      assert.ok(ms <= 2_000);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('split tunnel sends only the listed network; kill -9 of the CLI still undoes everything', async () => {
    const cli = connect(['--no-default-route', '--route', '192.168.30.0/24', '--no-dns']);
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const iface = String(up['interface']);
      assert.equal((await client.routeGet(BRIDGE_HOST)).dev, iface);
      const other = await client.routeGet('198.51.100.7').catch(() => ({ dev: 'unreachable' }));
      assert.notEqual(other.dev, iface, 'other destinations do not use the tunnel');
      assert.equal(readResolvConf(client), client.originalResolvConf, '--no-dns leaves the resolver alone');
      assert.ok(await ping(BRIDGE_HOST));

      // The helper is a child of the CLI: when its parent dies its stdin closes and it undoes itself.
      cli.child.kill('SIGKILL');
      await cli.exited;
      await tracesGone(iface, 2_000);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('reconnects after the server process is killed and restarted, and traffic flows again', async () => {
    const cli = connect(['--keepalive', '2']);
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const from = cli.events.length;
      await server.restart();
      await cli.waitFor((e) => e['event'] === 'reconnecting', 15_000, from);
      const again = await cli.waitFor((e) => e['event'] === 'connected', 45_000, from);
      assert.equal(again['interface'], up['interface'], 'the same TUN device carries the new session');
      assert.ok(Number(again['reconnects']) >= 1);
      assert.ok(await ping(BRIDGE_HOST), 'ping after reconnect');
      assert.equal(await download(), blob.sha256);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
      await tracesGone(String(up['interface']), 2_000);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('detects a path that went dark (dead peer), and reconnects when it returns', async () => {
    const keepalive = 2;
    const cli = connect(['--keepalive', String(keepalive)]);
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const from = cli.events.length;
      await client.setLinkUp(false);
      const t0 = Date.now();
      const drop = await cli.waitFor((e) => e['event'] === 'reconnecting', 20_000, from);
      const detectedMs = Date.now() - t0;
      const reason = drop['reason'] as { code: string };
      assert.ok(['dead-peer', 'connection-lost'].includes(reason.code), JSON.stringify(reason));
      // Within two keepalive intervals of silence, plus the interval's own granularity.
      assert.ok(detectedMs <= 3 * keepalive * 1000 + 1000, `detected after ${detectedMs} ms`);
      await sleep(1_000);
      await client.setLinkUp(true);
      const again = await cli.waitFor((e) => e['event'] === 'connected', 60_000, from);
      assert.equal(again['interface'], up['interface']);
      assert.ok(await ping(BRIDGE_HOST));
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
      await tracesGone(String(up['interface']), 2_000);
    } finally {
      await client.setLinkUp(true);
      cli.child.kill('SIGKILL');
    }
  });

  it('connects a saved profile: its split routes and DNS setting apply, and the attempt is logged', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cw-profile-'));
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_STATE_HOME: join(home, 'state'),
      HOME: home,
    };
    const add = await runCli(
      [
        'profiles',
        'add',
        'Lab',
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
    const cli = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['connect', 'Lab', '--password-stdin', '--json'],
      'testpass',
      env,
    );
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const iface = String(up['interface']);
      assert.deepEqual(up['routes'], ['192.168.30.0/24']);
      assert.equal((await client.routeGet(BRIDGE_HOST)).dev, iface);
      assert.notEqual((await client.routeGet('198.51.100.7').catch(() => ({ dev: 'unreachable' }))).dev, iface);
      assert.equal(readResolvConf(client), client.originalResolvConf);
      assert.ok(await ping(BRIDGE_HOST));
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
      await tracesGone(iface, 2_000);
      const logs = await runCli(['logs', 'Lab'], undefined, { env });
      assert.match(logs.stdout, /LCP ConfReq/);
      assert.ok(!logs.stdout.includes('testpass'));
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('a wrong password fails before anything is set up, with exit code 5', async () => {
    const cli = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['connect', client.serverAddress, '--user', 'testuser', '--password-stdin', '--insecure', '--json'],
      'wrong',
    );
    assert.equal(await cli.exited, 5, cli.output());
    const links = await client.links();
    assert.ok(!links.some((l) => l.startsWith('causeway')), links.join(','));
  });
});
