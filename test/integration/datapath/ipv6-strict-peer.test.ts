// IPv6 inside the tunnel, against the strict peer (whether the SoftEther test server carries IPv6 to
// an SSTP client is not determined yet; the peer sends the RA itself): IPv6CP's identifier on the TUN, the peer's Router Advertisement
// over the PPP link turned into a SLAAC address with that identifier, an IPv6 ping answered across the
// tunnel; and a full tunnel WITHOUT IPv6 from the server blocking IPv6, proven by a probe that a
// control run sees arrive in a namespace of ours ("the LAN/Internet") and the tunnel run does not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { createNetns, deleteNetns, run, sleep, tool } from '../../harness/netns.js';
import { integrationSkip } from '../../harness/softether.js';
import { startStrictPeer, type StrictPeer } from '../../peers/strict-sstp-server.js';
import type { PartialScript } from '../../peers/script.js';
import { startCliProcess, type CliProcess } from '../../support/cli-process.js';

const skip = integrationSkip();
const INDEX = 62;
const LAN = `cw-v6lan${INDEX}`;
/** An IPv6 host behind the client's own (outer) interface: where a leak would go. */
const PROBE = '2001:db8:beef::1';
const PREFIX = '2001:db8:77:1::';

describe('IPv6 inside the tunnel (strict peer, RA over PPP)', { skip }, () => {
  let client: ClientNetns;
  let peer: StrictPeer | undefined;
  const ip = tool('ip');

  before(async () => {
    client = await startClientNetns(null, INDEX);
    // The client's outer IPv6: a veth into LAN, default route there, the probe address on LAN's lo.
    await createNetns(LAN);
    await run(ip, ['-n', client.name, 'link', 'add', 'v6out', 'type', 'veth', 'peer', 'name', 'v6in', 'netns', LAN]);
    await run(ip, ['-n', client.name, 'addr', 'add', 'fd00:77::2/64', 'dev', 'v6out', 'nodad']);
    await run(ip, ['-n', client.name, 'link', 'set', 'v6out', 'up']);
    await run(ip, ['-n', client.name, '-6', 'route', 'add', 'default', 'via', 'fd00:77::1']);
    await run(ip, ['-n', LAN, 'addr', 'add', 'fd00:77::1/64', 'dev', 'v6in', 'nodad']);
    await run(ip, ['-n', LAN, 'addr', 'add', `${PROBE}/128`, 'dev', 'lo']);
    await run(ip, ['-n', LAN, 'link', 'set', 'v6in', 'up']);
    await run(ip, ['-n', LAN, 'link', 'set', 'lo', 'up']);
    // Counts every packet for the probe address that arrives on LAN's side of the wire.
    const nft = ['netns', 'exec', LAN, tool('nft')];
    await run('ip', [...nft, 'add', 'table', 'ip6', 'probe']);
    await run('ip', [...nft, 'add', 'chain', 'ip6', 'probe', 'pre', '{ type filter hook prerouting priority 0; }']);
    await run('ip', [...nft, 'add', 'rule', 'ip6', 'probe', 'pre', 'ip6', 'daddr', PROBE, 'counter']);
  });
  after(async () => {
    await peer?.stop();
    await client?.stop();
    await deleteNetns(LAN);
  });

  async function arrivedAtLan(): Promise<number> {
    const r = await run('ip', ['netns', 'exec', LAN, tool('nft'), '-j', 'list', 'table', 'ip6', 'probe']);
    const found = JSON.stringify(JSON.parse(r.stdout)).match(/"counter":\{"packets":(\d+)/);
    return Number(found?.[1] ?? NaN);
  }

  async function ping6(): Promise<number> {
    const r = await client.exec(tool('ping'), ['-6', '-c', '1', '-W', '2', PROBE], { allowFailure: true });
    return r.code ?? -1;
  }

  async function routes6(): Promise<{ dst: string; dev?: string; type?: string; metric?: number }[]> {
    // Every table: the full tunnel's catch-all lives in the tunnel's own (helper/root/policy-rules.ts).
    const r = await client.exec(ip, ['-j', '-6', 'route', 'show', 'table', 'all']);
    return JSON.parse(r.stdout) as { dst: string; dev?: string; type?: string; metric?: number }[];
  }

  async function connect(script: PartialScript, extra: string[]): Promise<CliProcess> {
    await peer?.stop();
    peer = await startStrictPeer(script, { listenHost: client.serverAddress });
    return startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      [
        'connect',
        `${peer.host}:${peer.port}`,
        '--user',
        'testuser',
        '--password-stdin',
        '--pin',
        `sha256:${peer.certSha256}`,
        '--json',
        '--no-reconnect',
        ...extra,
      ],
      'testpass',
    );
  }

  async function stopAndCheckClean(cli: CliProcess): Promise<void> {
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0, cli.output());
    for (let i = 0; i < 40 && (await client.links()).some((l) => l.startsWith('causeway')); i++) await sleep(50);
    assert.deepEqual(
      (await client.links()).filter((l) => l.startsWith('causeway')),
      [],
    );
    const left = (await routes6()).filter((r) => r.type === 'unreachable' || r.dev?.startsWith('causeway'));
    assert.deepEqual(left, [], 'no IPv6 route of ours is left');
  }

  it('control: with no VPN the probe leaves through the outer interface and arrives', async () => {
    const before = await arrivedAtLan();
    assert.equal(await ping6(), 0);
    assert.equal((await arrivedAtLan()) - before, 1);
  });

  it(
    'the RA gives the TUN prefix + the IPv6CP identifier; an IPv6 ping crosses the tunnel, none leaks',
    {},
    async () => {
      const cli = await connect(
        {
          ipv6cp: {
            mode: 'negotiate',
            routerAdvertisement: { prefixes: [{ prefix: PREFIX }], rdnss: { servers: ['2001:db8:77::53'] } },
          },
        },
        ['--ipv6'],
      );
      try {
        const up = await cli.waitFor(
          (e) => e['event'] === 'connected' && (e['ipv6'] as { address?: string } | undefined)?.address != null,
          20_000,
        );
        const tun = String(up['interface']);
        const opened = peer!.events.find((e) => e.kind === 'ipv6cp-opened');
        assert.ok(opened && opened.kind === 'ipv6cp-opened');
        const idHex = opened.clientInterfaceId;
        const id = [0, 4, 8, 12].map((i) => parseInt(idHex.slice(i, i + 4), 16).toString(16)).join(':');
        const expected = `2001:db8:77:1:${id}/64`;
        assert.deepEqual(up['ipv6'], { address: expected, linkLocal: `fe80::${id}/64` });
        assert.ok((up['dns'] as string[]).includes('2001:db8:77::53'), JSON.stringify(up['dns']));

        // What the kernel holds, read at once: the connected state names only addresses the helper has
        // added (nodad, so not tentative either), and exactly our two (no random link-local of its own).
        const want = [`${expected.replace('/64', '')}/64 global`, `fe80::${id}/64 link`].sort();
        const addr = await client.exec(ip, ['-j', '-6', 'addr', 'show', 'dev', tun]);
        const infos = (
          JSON.parse(addr.stdout) as {
            addr_info: { local: string; prefixlen: number; scope: string; tentative?: boolean }[];
          }[]
        )[0]!.addr_info;
        const have = infos.map((a) => `${a.local}/${a.prefixlen} ${a.scope}${a.tentative ? ' tentative' : ''}`).sort();
        assert.deepEqual(have, want, cli.output());
        const mine = (await routes6()).filter((r) => r.dev === tun).map((r) => r.dst);
        for (const d of ['default', '2001:db8:77:1::/64']) assert.ok(mine.includes(d), `${d} in ${mine.join()}`);
        assert.ok(!(await routes6()).some((r) => r.type === 'unreachable'), 'no block while IPv6 is tunneled');

        const lanBefore = await arrivedAtLan();
        assert.equal(await ping6(), 0, 'the peer answers the IPv6 ping through the tunnel');
        const echo = peer!.events.find((e) => e.kind === 'icmp6-echo');
        assert.ok(echo && echo.kind === 'icmp6-echo');
        assert.equal(echo.to, '2001:db8:beef:0:0:0:0:1');
        assert.equal(echo.from, `2001:db8:77:1:${id}`);
        assert.equal((await arrivedAtLan()) - lanBefore, 0, 'nothing went around the tunnel');
        assert.deepEqual(peer!.violations, []);
        await stopAndCheckClean(cli);
      } finally {
        cli.child.kill('SIGKILL');
      }
    },
  );

  it('full tunnel without IPv6 from the server: IPv6 is blocked (unreachable), and unblocked after a kill -9', async () => {
    const cli = await connect({ ipv6cp: { mode: 'protocol-reject' } }, ['--ipv6']);
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 20_000);
      assert.equal(up['ipv6'], undefined);
      const blocks = (await routes6()).filter((r) => r.type === 'unreachable').map((r) => r.dst);
      assert.deepEqual(
        blocks,
        ['default'],
        'the tunnel table blocks all IPv6 the main table does not route more specifically',
      );
      const lanBefore = await arrivedAtLan();
      assert.notEqual(await ping6(), 0, 'the probe fails');
      assert.equal((await arrivedAtLan()) - lanBefore, 0, 'and never reaches the outer network');
      // The app dies without a word: its helper sees stdin close and undoes everything, the block included.
      cli.child.kill('SIGKILL');
      await cli.exited;
      for (let i = 0; i < 100 && (await routes6()).some((r) => r.type === 'unreachable'); i++) await sleep(50);
      assert.deepEqual(
        (await routes6()).filter((r) => r.type === 'unreachable'),
        [],
      );
      const again = await arrivedAtLan();
      assert.equal(await ping6(), 0, 'IPv6 works again once the tunnel is gone');
      assert.equal((await arrivedAtLan()) - again, 1);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('split tunnel: IPv6 is left alone', async () => {
    const cli = await connect({ ipv6cp: { mode: 'protocol-reject' } }, [
      '--ipv6',
      '--route',
      '10.99.0.0/16',
      '--no-default-route',
    ]);
    try {
      await cli.waitFor((e) => e['event'] === 'connected', 20_000);
      assert.deepEqual(
        (await routes6()).filter((r) => r.type === 'unreachable'),
        [],
      );
      const lanBefore = await arrivedAtLan();
      assert.equal(await ping6(), 0);
      assert.equal((await arrivedAtLan()) - lanBefore, 1);
      await stopAndCheckClean(cli);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
