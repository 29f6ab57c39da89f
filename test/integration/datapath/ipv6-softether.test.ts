// IPv6 through the real SoftEther server (docs/ipv6.md has what it does and why): radvd advertises a
// /64 on SoftEther's bridged LAN; SoftEther acks our IPv6CP with the router's identifier as its own,
// relays the router's RAs over PPP, and the TUN gets prefix + the negotiated identifier. An IPv6 ping
// to a host behind that router crosses the tunnel (counted where it arrives, with our address as
// the source), which needs the engine to answer the router's Neighbor Solicitations for our
// address. After a disconnect nothing of ours is left.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { run, runInNetns, sleep, tool } from '../../harness/netns.js';
import { startRadvd, type Radvd } from '../../harness/radvd.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess, type CliProcess } from '../../support/cli-process.js';

const skip = integrationSkip();
const INDEX = 71;
const PREFIX = '2001:db8:5e7::';
/**
 * Off-link (behind the router, on its lo), as Internet hosts are: SoftEther 5.01.9674 (Debian 12)
 * cannot reach an on-link neighbour for a PPP client (its Neighbor Solicitation names the
 * solicited-node group as the target; fixed upstream in f9a1d72c, 2021): see docs/ipv6.md.
 */
const PROBE = '2001:db8:5e8::1';

interface AddrInfo {
  local: string;
  prefixlen: number;
  scope: string;
}

describe('IPv6 through SoftEther (radvd on the bridged LAN)', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let radvd: Radvd;
  const ip = tool('ip');
  const nft = (args: string[]) => run(ip, ['netns', 'exec', server.netns, tool('nft'), ...args]);

  before(async () => {
    server = await startSoftEther({ name: 'cw-v6se', bridge: true });
    radvd = await startRadvd({ netns: server.netns, prefix: PREFIX });
    await run(ip, ['-n', server.netns, '-6', 'addr', 'add', `${PROBE}/128`, 'dev', 'lo']);
    // Counts the echo requests that reach the probe from the advertised prefix (that is, through SoftEther).
    await nft(['add', 'table', 'ip6', 'probe']);
    await nft(['add', 'chain', 'ip6', 'probe', 'in', '{ type filter hook input priority 0; }']);
    await nft([
      'add',
      'rule',
      'ip6',
      'probe',
      'in',
      'ip6',
      'saddr',
      `${PREFIX}/64`,
      'ip6',
      'daddr',
      PROBE,
      'icmpv6',
      'type',
      'echo-request',
      'counter',
    ]);
    client = await startClientNetns(server.netns, INDEX);
  });
  after(async () => {
    await radvd?.stop();
    await client?.stop();
    await server?.stop();
  });

  async function arrived(): Promise<number> {
    const r = await nft(['-j', 'list', 'table', 'ip6', 'probe']);
    return Number(r.stdout.match(/"counter":\s*\{"packets":\s*(\d+)/)?.[1] ?? NaN);
  }

  async function addresses(netns: string, dev: string): Promise<AddrInfo[]> {
    const r = await runInNetns(netns, ip, ['-j', '-6', 'addr', 'show', 'dev', dev]);
    return (JSON.parse(r.stdout) as { addr_info: AddrInfo[] }[])[0]?.addr_info ?? [];
  }

  const connect = () =>
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
        '--verbose',
        '--ipv6',
      ],
      'testpass',
    );

  async function disconnectAndCheckClean(cli: CliProcess): Promise<void> {
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0, cli.output());
    for (let i = 0; i < 40 && (await client.links()).some((l) => l.startsWith('causeway')); i++) await sleep(50);
    assert.deepEqual(
      (await client.links()).filter((l) => l.startsWith('causeway')),
      [],
    );
    const left = JSON.parse((await client.exec(ip, ['-j', '-6', 'route', 'show', 'table', 'all'])).stdout) as {
      dst: string;
      dev?: string;
      type?: string;
    }[];
    assert.deepEqual(
      left.filter((r) => r.type === 'unreachable' || r.dev?.startsWith('causeway')),
      [],
      'no IPv6 route of ours is left',
    );
  }

  /** The kernel's answer for both halves of the IPv6 space (whatever table holds the full tunnel's catch-all). */
  async function routedDevices(): Promise<string[]> {
    const out: string[] = [];
    for (const to of [PROBE, '9000::1']) {
      const r = await client.exec(ip, ['-j', '-6', 'route', 'get', to], { allowFailure: true });
      out.push(r.code === 0 ? String((JSON.parse(r.stdout) as { dev?: string }[])[0]?.dev) : `(${r.stderr.trim()})`);
    }
    return out;
  }

  it(
    'IPv6CP is acked, the relayed RA gives the TUN a global address, an IPv6 ping crosses, nothing is left',
    { timeout: 120_000 },
    async () => {
      const routerLinkLocal = (await addresses(server.netns, 'tap_soft')).find((a) => a.scope === 'link')?.local;
      assert.ok(routerLinkLocal, 'radvd has a link-local address on tap_soft');
      const cli = connect();
      try {
        // radvd answers the kernel's Router Solicitation, or advertises on its own within 4 s.
        const up = await cli.waitFor(
          (e) => e['event'] === 'connected' && (e['ipv6'] as { address?: string } | undefined)?.address != null,
          60_000,
        );
        const tun = String(up['interface']);
        const trace = cli.events
          .map((e) => String(e['message'] ?? ''))
          .filter((m) => /IPV6CP|IPv6 interface id/.test(m));
        assert.ok(
          trace.some((m) => /^rcvd \[IPV6CP ConfAck/.test(m)),
          trace.join('\n'),
        );
        const ids = /IPv6 interface id (\S+) peer (\S+)/.exec(trace.find((m) => /interface id/.test(m)) ?? '');
        assert.ok(ids, trace.join('\n'));
        const [, local, peer] = ids;
        // SoftEther takes the identifier of the router it found on the hub (IPCIPv6GetServerEui).
        assert.equal(`fe80::${peer}`, routerLinkLocal, 'the server announces the router identifier');
        const expected = { address: `2001:db8:5e7:0:${local}/64`, linkLocal: `fe80::${local}/64` };
        assert.deepEqual(up['ipv6'], expected);
        assert.ok((up['dns'] as string[]).includes(radvd.rdnss), `RDNSS in ${JSON.stringify(up['dns'])}`);

        const have = (await addresses(client.name, tun)).map((a) => `${a.local}/${a.prefixlen} ${a.scope}`).sort();
        assert.deepEqual(have, [`${expected.address} global`, `${expected.linkLocal} link`].sort(), cli.output());
        assert.deepEqual(await routedDevices(), [tun, tun], 'all IPv6 goes into the tunnel');

        const before = await arrived();
        const ping = await client.exec(tool('ping'), ['-6', '-c', '3', '-W', '3', PROBE], {
          allowFailure: true,
          timeoutMs: 20_000,
        });
        assert.match(ping.stdout, /[1-3] received/, `${ping.stdout}${ping.stderr}`);
        assert.ok((await arrived()) - before >= 1, 'the echo requests arrived from the advertised prefix');
        const neigh = await runInNetns(server.netns, ip, ['-6', 'neigh', 'show', 'dev', 'tap_soft']);
        assert.match(
          neigh.stdout,
          new RegExp(`2001:db8:5e7:0:${local} lladdr \\S+`),
          'the router resolved our address: the engine answered its Neighbor Solicitation',
        );

        await disconnectAndCheckClean(cli);
      } finally {
        cli.child.kill('SIGKILL');
      }
    },
  );

  it(
    'without a router on the hub SoftEther still opens IPv6CP, but no RA comes: link-local only',
    { timeout: 120_000 },
    async () => {
      await radvd.stop();
      const cli = connect();
      try {
        const up = await cli.waitFor((e) => e['event'] === 'connected' && e['ipv6'] !== undefined, 60_000);
        const tun = String(up['interface']);
        const trace = cli.events.map((e) => String(e['message'] ?? ''));
        assert.ok(
          trace.some((m) => /^rcvd \[IPV6CP ConfAck/.test(m)),
          trace.filter((m) => /IPV6CP/.test(m)).join('\n'),
        );
        // Longer than radvd's 4 s interval and SoftEther's 2 x 2 s solicitations: nothing comes.
        await sleep(6_000);
        const v6 = up['ipv6'] as { address: string | null; linkLocal: string };
        assert.equal(v6.address, null);
        assert.equal(
          cli.events.filter(
            (e) => e['event'] === 'connected' && (e['ipv6'] as { address?: string } | undefined)?.address != null,
          ).length,
          0,
        );
        const have = (await addresses(client.name, tun)).map((a) => `${a.local}/${a.prefixlen} ${a.scope}`);
        assert.deepEqual(have, [`${v6.linkLocal} link`]);
        // The TUN has IPv6 of its own, so a full tunnel routes IPv6 into it (no global source: nothing leaves).
        assert.deepEqual(await routedDevices(), [tun, tun], 'all IPv6 goes into the tunnel');
        await disconnectAndCheckClean(cli);
      } finally {
        cli.child.kill('SIGKILL');
      }
    },
  );
});
