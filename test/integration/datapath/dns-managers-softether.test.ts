// DNS the way the system does it, for real: `causeway connect` through SoftEther from a client whose
// resolver is managed by systemd-resolved, by resolvconf, or by nobody (the plain file). A dnsmasq
// on SoftEther's bridge answers a name that exists only behind the tunnel. With each manager the name
// resolves through the tunnel (dnsmasq sees the query from the tunnel address), and after a
// disconnect, a kill -9 of the CLI (the helper undoes itself) and a kill -9 of CLI and helper (the
// next helper's crash recovery undoes it) the resolver is byte for byte what it was before.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { HelperClient } from '../../../main/helper/client/client.js';
import { linuxHelperLaunch } from '../../../main/helper/client/launch-linux.js';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { startDnsmasq, type Dnsmasq } from '../../harness/dnsmasq.js';
import { sleep } from '../../harness/netns.js';
import { startResolvconf } from '../../harness/resolvconf.js';
import { startResolved } from '../../harness/resolved.js';
import { startResolverWorld, type ResolverWorld } from '../../harness/resolver-world.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess, type CliProcess } from '../../support/cli-process.js';

const skip = integrationSkip();
const BRIDGE = '192.168.30.5';
const NAME = 'vpn-only.causeway.test';
const ANSWER = '192.0.2.77';
const machineResolvConf = readFileSync('/etc/resolv.conf', 'utf8');

type World = ResolverWorld & { snapshot(): Promise<string> };

describe('DNS through the system resolver manager (SoftEther, dnsmasq behind the tunnel)', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let dnsmasq: Dnsmasq;

  before(async () => {
    server = await startSoftEther({ name: 'cw-dns', bridge: true });
    // The DNS server SoftEther's DHCP (and so IPCP) hands out: our dnsmasq on the bridge.
    const out = await server.vpncmd([
      'Hub HUB1',
      `DhcpSet /START:192.168.30.10 /END:192.168.30.200 /MASK:255.255.255.0 /EXPIRE:7200 /GW:192.168.30.1 /DNS:${BRIDGE} /DNS2:none /DOMAIN:none /LOG:no`,
    ]);
    assert.equal(out.split('The command completed successfully.').length - 1, 2, out);
    dnsmasq = await startDnsmasq(server.netns, BRIDGE, { [NAME]: ANSWER });
    client = await startClientNetns(server.netns, 7);
  });
  after(async () => {
    await dnsmasq?.stop();
    await client?.stop();
    await server?.stop();
    assert.equal(
      readFileSync('/etc/resolv.conf', 'utf8'),
      machineResolvConf,
      "the machine's own resolver is untouched",
    );
  });

  const connect = (world: World, extra: string[] = []): CliProcess =>
    startCliProcess(
      world.prefix,
      ['connect', client.serverAddress, '--user', 'testuser', '--password-stdin', '--insecure', '--json', ...extra],
      'testpass',
    );

  async function lookup(world: World): Promise<string | undefined> {
    const r = await world.exec('/usr/bin/timeout', ['20', '/usr/bin/getent', 'ahostsv4', NAME], {
      allowFailure: true,
      timeoutMs: 25_000,
    });
    return r.code === 0 ? r.stdout.split(/\s+/)[0] : undefined;
  }

  async function connected(
    world: World,
    extra: string[] = [],
  ): Promise<{ cli: CliProcess; address: string; iface: string }> {
    const cli = connect(world, extra);
    const up = await cli.waitFor((e) => e['event'] === 'connected', 45_000);
    assert.deepEqual(up['dns'], [BRIDGE], 'SoftEther pushed our dnsmasq');
    return { cli, address: String(up['address']), iface: String(up['interface']) };
  }

  /** The name resolves, and dnsmasq saw that query come from the tunnel's own address. */
  async function resolvesThroughTunnel(world: World, address: string): Promise<void> {
    const seen = dnsmasq.queries().length;
    assert.equal(await lookup(world), ANSWER);
    const fresh = dnsmasq.queries().slice(seen);
    assert.ok(
      fresh.some((l) => l.includes(`query[A] ${NAME} from ${address}`)),
      `dnsmasq saw from the tunnel (${address}):\n${fresh.join('\n')}`,
    );
  }

  async function backTo(world: World, before: string, what: string): Promise<number> {
    const t0 = Date.now();
    let now = '';
    while (Date.now() - t0 < 10_000) {
      now = await world.snapshot();
      if (now === before) return Date.now() - t0;
      await sleep(100);
    }
    assert.equal(now, before, `${what}: the resolver is not back as it was`);
    return -1;
  }

  /** kill -9 of the helper first and then the CLI: nobody undoes anything until the next helper starts. */
  async function crashBothThenRecover(world: World, cli: CliProcess, before: string): Promise<void> {
    const cliPid = cli.child.pid ?? 0;
    const helperPid = Number(
      execFileSync('pgrep', ['-P', String(cliPid)], { encoding: 'utf8' })
        .trim()
        .split('\n')[0],
    );
    assert.ok(helperPid > 0, 'the CLI runs the helper');
    process.kill(helperPid, 'SIGKILL');
    cli.child.kill('SIGKILL');
    await cli.exited;
    await sleep(300);
    assert.notEqual(await world.snapshot(), before, 'a killed helper leaves its DNS behind');
    const logs: string[] = [];
    const next = await HelperClient.start(linuxHelperLaunch({ direct: true, wrap: [...world.prefix] }), {
      onLog: (l) => logs.push(l),
    });
    await next.close();
    // The recovering helper's own words go into the failure message (which steps it undid, or why not).
    const ms = await backTo(
      world,
      before,
      `after crash recovery (helper ${helperPid} killed); recovery log:\n${logs.join('\n')}\n`,
    );
    assert.ok(ms >= 0);
  }

  it('systemd-resolved: ~. on the TUN in full tunnel, search-domain scope in split; every exit restores it', async () => {
    const world = await startResolved(client.name, client.serverAddress);
    try {
      // Looked up first: resolved then shows its "current" server, as it will after the tunnel too.
      assert.equal(await lookup(world), undefined, 'the name does not resolve without the tunnel');
      const before = await world.snapshot();
      assert.match(before, /resolv\.conf mode: stub/);

      // Full tunnel, ended by SIGTERM.
      let c = await connected(world);
      const link = await world.sh(`resolvectl --no-pager status ${c.iface}`);
      assert.match(link, /\+DefaultRoute/);
      assert.match(link, new RegExp(`DNS Servers: ${BRIDGE.replace(/\./g, '\\.')}`));
      assert.match(link, /DNS Domain: ~\./);
      await resolvesThroughTunnel(world, c.address);
      c.cli.child.kill('SIGTERM');
      assert.equal(await c.cli.exited, 0, c.cli.output());
      await backTo(world, before, 'after disconnect');

      // Split tunnel: the server's DNS is on the link but nothing is routed there (no search domains).
      c = await connected(world, ['--no-default-route', '--route', '192.168.30.0/24']);
      const split = await world.sh(`resolvectl --no-pager status ${c.iface}`);
      assert.match(split, /-DefaultRoute/);
      assert.doesNotMatch(split, /~\./);
      const seen = dnsmasq.queries().length;
      assert.equal(await lookup(world), undefined, 'split tunnel: other names are not sent into the tunnel');
      assert.deepEqual(dnsmasq.queries().slice(seen), []);
      c.cli.child.kill('SIGKILL');
      await c.cli.exited;
      await backTo(world, before, 'after kill -9 of the CLI (the helper undoes itself)');

      c = await connected(world);
      await resolvesThroughTunnel(world, c.address);
      await crashBothThenRecover(world, c.cli, before);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- resolved:\n${world.log().slice(-3000)}`);
    } finally {
      await world.stop();
    }
  });

  it('resolvconf: a tun.<if>.causeway record ahead of the LAN; removed on disconnect and by crash recovery', async () => {
    const world = await startResolvconf(client.name, client.serverAddress);
    try {
      const before = await world.snapshot();
      assert.match(before, /--- eth0\.dhclient/);
      assert.equal(await lookup(world), undefined);
      let c = await connected(world);
      const conf = await world.sh('cat /etc/resolv.conf; ls /run/resolvconf/interface');
      assert.match(conf, new RegExp(`nameserver ${BRIDGE.replace(/\./g, '\\.')}\\nnameserver ${client.serverAddress}`));
      assert.match(conf, new RegExp(`tun\\.${c.iface}\\.causeway`));
      await resolvesThroughTunnel(world, c.address);
      c.cli.child.kill('SIGTERM');
      assert.equal(await c.cli.exited, 0, c.cli.output());
      await backTo(world, before, 'after disconnect');

      c = await connected(world);
      await crashBothThenRecover(world, c.cli, before);
    } finally {
      await world.stop();
    }
  });

  it('no manager: /etc/resolv.conf replaced by rename (new inode, same mode), restored byte for byte', async () => {
    const original = `# the LAN resolver\nnameserver ${client.serverAddress}\noptions edns0\n`;
    const world = Object.assign(
      await startResolverWorld({
        netns: client.name,
        setup: [
          `rm -f /etc/resolv.conf && printf '${original.replace(/\n/g, '\\n')}' > /etc/resolv.conf && chmod 0644 /etc/resolv.conf`,
        ],
      }),
      {},
    );
    const w: World = {
      ...world,
      snapshot: () => world.sh('stat -c "%a %u %g %F" /etc/resolv.conf; cat /etc/resolv.conf'),
    };
    try {
      const before = await w.snapshot();
      const inode = async (): Promise<string> => (await world.sh('stat -c %i /etc/resolv.conf')).trim();
      const inodeBefore = await inode();
      assert.equal(await lookup(w), undefined);
      let c = await connected(w);
      assert.notEqual(await inode(), inodeBefore, 'replaced by rename, not written in place');
      assert.match(
        await world.sh('cat /etc/resolv.conf'),
        new RegExp(`^nameserver ${BRIDGE.replace(/\./g, '\\.')}$`, 'm'),
      );
      await resolvesThroughTunnel(w, c.address);
      c.cli.child.kill('SIGTERM');
      assert.equal(await c.cli.exited, 0, c.cli.output());
      await backTo(w, before, 'after disconnect');

      c = await connected(w);
      await crashBothThenRecover(w, c.cli, before);
    } finally {
      await world.stop();
    }
  });
});
