// `causeway connect --kill-switch` for real: a client namespace joined to the SoftEther server's
// namespace, probes to an off-link address and to an on-link one on the server side, and an nft
// counter there (prerouting, before anything filters) that sees every probe that arrives in clear.
// Control first (no VPN: every probe arrives), then: connecting (the server's port held), connected
// (full tunnel: the off-link probe goes into the TUN), reconnecting (server restarted), kill -9 of the
// CLI (the block stays), `causeway unblock` (gone). The machine's own ruleset is compared at the end.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { run, sleep, tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess, type CliProcess } from '../../support/cli-process.js';
import { CAUSEWAY_BIN } from '../../support/run-cli.js';

const skip = integrationSkip();
const INDEX = 41;
const BRIDGE_HOST = '192.168.30.5';
const OFF_LINK = '198.51.100.7';
const ON_LINK = `10.210.${INDEX}.9`;
const NFT = '/usr/sbin/nft';

describe('kill switch with causeway connect through SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let rootBefore = '';
  const home = mkdtempSync(join(tmpdir(), 'cw-ks-'));
  const env = { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state') };
  const inServer = (args: string[]) => run(tool('ip'), ['netns', 'exec', server.netns, ...args]);
  const nftServer = (script: string) => inServer(['/bin/sh', '-c', `printf '%s' "$0" | ${NFT} -f -`, script]);

  before(async () => {
    rootBefore = (await run(NFT, ['-j', 'list', 'ruleset'])).stdout;
    server = await startSoftEther({ name: 'cw-ks', bridge: true });
    client = await startClientNetns(server.netns, INDEX);
    await inServer([tool('ip'), 'addr', 'add', `${ON_LINK}/32`, 'dev', `cwc${INDEX}-s`]);
    await client.exec(tool('ip'), ['route', 'add', 'default', 'via', client.serverAddress]);
    await nftServer(
      `table inet ksprobe {\n chain c {\n  type filter hook prerouting priority raw; policy accept;\n  ip saddr ${client.clientAddress} ip daddr { ${OFF_LINK}, ${ON_LINK} } counter\n }\n}\n`,
    );
  });
  after(async () => {
    await client?.stop();
    await server?.stop();
    assert.equal((await run(NFT, ['-j', 'list', 'ruleset'])).stdout, rootBefore, "the machine's ruleset is untouched");
  });

  /** Probes that arrived in clear on the server side so far. */
  async function arrived(): Promise<number> {
    const r = await inServer([NFT, '-j', 'list', 'table', 'inet', 'ksprobe']);
    const m = /"counter":\s*\{\s*"packets":\s*(\d+)/.exec(r.stdout);
    return Number(m?.[1] ?? -1);
  }

  /** ICMP and TCP to both targets; each returns quickly whether it is blocked or not. */
  async function probe(): Promise<void> {
    for (const target of [OFF_LINK, ON_LINK]) {
      await client.exec(tool('ping'), ['-c', '1', '-W', '1', target], { allowFailure: true, timeoutMs: 5_000 });
      await client.exec('/usr/bin/timeout', ['2', '/bin/bash', '-c', `exec 3<>/dev/tcp/${target}/80`], {
        allowFailure: true,
        timeoutMs: 5_000,
      });
    }
  }

  async function ourTable(): Promise<string | undefined> {
    const r = await client.exec(NFT, ['-j', 'list', 'table', 'inet', 'causeway'], { allowFailure: true });
    return r.code === 0 ? r.stdout : undefined;
  }

  const connect = (extra: string[]): CliProcess =>
    startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      [
        'connect',
        client.serverAddress,
        '--user',
        'testuser',
        '--password-stdin',
        '--insecure',
        '--json',
        '--keepalive',
        '2',
        ...extra,
      ],
      'testpass',
      env,
    );

  it('control: without the VPN every probe arrives in clear', async () => {
    const n0 = await arrived();
    await probe();
    assert.ok((await arrived()) - n0 >= 4, `control probes seen: ${(await arrived()) - n0}`);
  });

  it('on: blocked while connecting and reconnecting, tunnelled when connected; kill -9 keeps it; unblock lifts it', async () => {
    // Hold the SSTP port so the first attempt stays in "connecting" (SYNs dropped, retried by TCP).
    await nftServer(
      'table inet kshold {\n chain c {\n  type filter hook input priority filter; policy accept;\n  tcp dport 443 drop\n }\n}\n',
    );
    const cli = connect(['--kill-switch', 'on']);
    try {
      const armed = await cli.waitFor((e) => e['event'] === 'kill-switch', 30_000);
      assert.deepEqual(armed, { event: 'kill-switch', state: 'armed', mode: 'on' });
      const connecting = await cli.waitFor((e) => e['event'] === 'connecting', 10_000);
      assert.equal(connecting['trafficBlocked'], true);
      const table = await ourTable();
      assert.ok(table?.includes(`"${client.serverAddress}"`), 'the server address is allowed');
      let n = await arrived();
      await probe();
      assert.equal(await arrived(), n, 'connecting: no probe arrived in clear');

      await inServer([NFT, 'delete', 'table', 'inet', 'kshold']);
      const up = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const iface = String(up['interface']);
      assert.ok((await ourTable())?.includes(`"${iface}"`), 'the TUN is let through');
      assert.equal((await client.routeGet(OFF_LINK)).dev, iface);
      const tx0 = await tunTxPackets(iface);
      n = await arrived();
      await probe();
      assert.equal(await arrived(), n, 'connected: no probe arrived in clear (the on-link one is refused, not LAN)');
      assert.ok((await tunTxPackets(iface)) - tx0 >= 2, 'the off-link probes went into the tunnel');
      const ping = await client.exec(tool('ping'), ['-c', '2', '-W', '2', BRIDGE_HOST], { allowFailure: true });
      assert.equal(ping.code, 0, 'traffic flows through the tunnel');

      const from = cli.events.length;
      await server.restart();
      const again = await cli.waitFor((e) => e['event'] === 'reconnecting', 20_000, from);
      assert.equal(again['trafficBlocked'], true);
      n = await arrived();
      await probe();
      assert.equal(await arrived(), n, 'reconnecting: no probe arrived in clear');
      await cli.waitFor((e) => e['event'] === 'connected', 60_000, from);

      cli.child.kill('SIGKILL');
      await cli.exited;
      await waitGone(iface);
      assert.ok(await ourTable(), 'after kill -9 the block stays');
      n = await arrived();
      await probe();
      assert.equal(await arrived(), n, 'after kill -9: no probe arrived in clear');
    } finally {
      cli.child.kill('SIGKILL');
    }
    // `causeway unblock` from inside the client namespace: the helper adopts the table and removes it.
    const r = await run(
      tool('ip'),
      ['netns', 'exec', client.name, process.execPath, CAUSEWAY_BIN, 'unblock', '--json'],
      {
        allowFailure: true,
      },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}'), { event: 'unblocked', removed: true });
    assert.equal(await ourTable(), undefined);
    const n = await arrived();
    await probe();
    assert.ok((await arrived()) - n >= 4, 'after unblock every probe arrives again');
  });

  it('a clean stop of an "on" run lifts the block; an "always" run keeps it until unblock', async () => {
    const on = connect(['--kill-switch', 'on']);
    await on.waitFor((e) => e['event'] === 'connected', 30_000);
    on.child.kill('SIGTERM');
    assert.equal(await on.exited, 0, on.output());
    assert.ok(on.events.some((e) => e['event'] === 'kill-switch' && e['state'] === 'removed'));
    assert.equal(await ourTable(), undefined, 'disconnect removed it');

    const always = connect(['--kill-switch', 'always']);
    await always.waitFor((e) => e['event'] === 'connected', 30_000);
    always.child.kill('SIGTERM');
    assert.equal(await always.exited, 0, always.output());
    assert.ok(always.events.some((e) => e['event'] === 'kill-switch' && e['state'] === 'kept'));
    assert.ok(await ourTable(), 'always: still blocking after the disconnect');
    const n = await arrived();
    await probe();
    assert.equal(await arrived(), n);
    // A run with the switch off lifts it too (off means off).
    const off = connect(['--kill-switch', 'off']);
    await off.waitFor((e) => e['event'] === 'connected', 30_000);
    assert.ok(off.events.some((e) => e['event'] === 'kill-switch' && e['state'] === 'removed'));
    assert.equal(await ourTable(), undefined);
    off.child.kill('SIGTERM');
    assert.equal(await off.exited, 0, off.output());
  });

  async function tunTxPackets(iface: string): Promise<number> {
    const r = await client.exec(tool('ip'), ['-j', '-s', 'link', 'show', 'dev', iface]);
    const [link] = JSON.parse(r.stdout) as { stats64?: { tx?: { packets?: number } } }[];
    return link?.stats64?.tx?.packets ?? -1;
  }

  async function waitGone(iface: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (!(await client.links()).includes(iface)) return;
      await sleep(50);
    }
    assert.fail(`${iface} still there 5 s after the CLI was killed`);
  }
});
