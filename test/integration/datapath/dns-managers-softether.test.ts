// DNS the way the system does it, for real: `causeway connect` through SoftEther from a client whose
// resolver is managed by systemd-resolved, by resolvconf, or by nobody (the plain file). A dnsmasq
// on SoftEther's bridge answers a name that exists only behind the tunnel. With each manager the name
// resolves through the tunnel (dnsmasq sees the query from the tunnel address), and after a
// disconnect, a kill -9 of the CLI (the helper undoes itself) and a kill -9 of CLI and helper (the
// next helper's crash recovery undoes it) the resolver is byte for byte what it was before. With
// resolved, a saved split-tunnel profile's search domains are the only names sent into the tunnel.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
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
import { runCli, type CliRun } from '../../support/run-cli.js';

const skip = integrationSkip();
const BRIDGE = '192.168.30.5';
const NAME = 'vpn-only.causeway.test';
const ANSWER = '192.0.2.77';
// Under the split profile's search domain: the one kind of name a split tunnel sends to the server's DNS.
const CORP_DOMAIN = 'corp.test';
const CORP_NAME = `intranet.${CORP_DOMAIN}`;
const CORP_ANSWER = '192.0.2.78';
const esc = (s: string): string => s.replace(/\./g, '\\.');
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
    dnsmasq = await startDnsmasq(server.netns, BRIDGE, { [NAME]: ANSWER, [CORP_NAME]: CORP_ANSWER });
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

  // A failed assertion must not leave its tunnel up: the next case's routes would collide with it.
  const running = new Set<CliProcess>();
  afterEach(async () => {
    for (const cli of running) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) {
        cli.child.kill('SIGKILL');
        await Promise.race([cli.exited, sleep(15_000)]);
      }
    }
    running.clear();
  });

  const connect = (world: World, extra: string[] = []): CliProcess => {
    const cli = startCliProcess(
      world.prefix,
      ['connect', client.serverAddress, '--user', 'testuser', '--password-stdin', '--insecure', '--json', ...extra],
      'testpass',
    );
    running.add(cli);
    return cli;
  };

  async function lookup(world: World, name = NAME): Promise<string | undefined> {
    const r = await world.exec('/usr/bin/timeout', ['20', '/usr/bin/getent', 'ahostsv4', name], {
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

  it(
    'systemd-resolved: ~. on the TUN in full tunnel, search-domain scope in split; every exit restores it',
    { timeout: 180_000 },
    async () => {
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
    },
  );

  it(
    'systemd-resolved, a saved split profile with dnsSearchDomains: only its domain goes to the tunnel, no ~.',
    { timeout: 180_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cw-dns-split-'));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        XDG_CONFIG_HOME: join(dir, 'config'),
        XDG_STATE_HOME: join(dir, 'state'),
        XDG_RUNTIME_DIR: join(dir, 'run'),
      };
      const cw = (args: string[]): Promise<CliRun> => runCli(args, undefined, { env, timeoutMs: 30_000 });
      const ok = (r: CliRun, what: string): void =>
        assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      const world = await startResolved(client.name, client.serverAddress);
      let cli: CliProcess | undefined;
      try {
        ok(
          await cw([
            'profiles',
            'add',
            'corp-split',
            '--server',
            client.serverAddress,
            '--user',
            'testuser',
            '--insecure',
            '--split',
            '192.168.30.0/24',
          ]),
          'profiles add',
        );
        // No CLI flag sets search domains (the app's profile editor does): put into the saved file as
        // the store keeps it, then read back through the CLI, which holds it to the profile schema.
        const file = join(dir, 'config', 'causeway', 'profiles.json');
        const doc = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, unknown>[] };
        assert.equal(doc.profiles.length, 1);
        doc.profiles[0] = { ...doc.profiles[0], dnsSearchDomains: [CORP_DOMAIN] };
        writeFileSync(file, JSON.stringify(doc, null, 2));
        const show = await cw(['profiles', 'show', 'corp-split', '--json']);
        ok(show, 'profiles show');
        assert.ok(show.stdout.includes(`"dnsSearchDomains":["${CORP_DOMAIN}"]`), show.stdout);

        assert.equal(await lookup(world, CORP_NAME), undefined, 'the corp name does not resolve without the tunnel');
        const before = await world.snapshot();
        cli = startCliProcess(world.prefix, ['connect', 'corp-split', '--password-stdin', '--json'], 'testpass', env);
        const up = await cli.waitFor((e) => e['event'] === 'connected', 45_000);
        assert.deepEqual(up['dns'], [BRIDGE], 'SoftEther pushed our dnsmasq');
        const iface = String(up['interface']);
        const address = String(up['address']);

        const link = await world.sh(`resolvectl --no-pager status ${iface}`);
        assert.match(link, /-DefaultRoute/, link);
        assert.match(link, new RegExp(`DNS Servers: ${esc(BRIDGE)}\\s*$`, 'm'), link);
        assert.match(link, new RegExp(`DNS Domain: ${esc(CORP_DOMAIN)}\\s*$`, 'm'), link);
        assert.doesNotMatch(link, /~\./, link);
        assert.equal(
          (await world.sh(`resolvectl --no-pager domain ${iface}`)).trim(),
          `Link ${(await world.sh(`cat /sys/class/net/${iface}/ifindex`)).trim()} (${iface}): ${CORP_DOMAIN}`,
        );
        // No other link routes everything to the tunnel either: `~.` appears nowhere in resolved.
        assert.doesNotMatch(await world.sh('resolvectl --no-pager domain'), /~\./);

        // The corp name: resolved sends it over the tunnel's link, dnsmasq sees it from the tunnel address.
        let seen = dnsmasq.queries().length;
        const q = await world.exec('/usr/bin/resolvectl', ['--no-pager', 'query', CORP_NAME], { timeoutMs: 25_000 });
        assert.match(q.stdout, new RegExp(`^${esc(CORP_NAME)}: ${esc(CORP_ANSWER)}\\s+-- link: ${iface}$`, 'm'));
        assert.equal(await lookup(world, CORP_NAME), CORP_ANSWER, 'through the stub (getent) too');
        const fresh = dnsmasq.queries().slice(seen);
        assert.ok(
          fresh.some((l) => l.includes(`query[A] ${CORP_NAME} from ${address}`)),
          `dnsmasq saw from the tunnel (${address}):\n${fresh.join('\n')}`,
        );
        // A name outside the search domain is not sent into the tunnel as itself; the stub resolver's
        // search list may try it with the domain appended (NAME.corp.test), which is the tunnel's to answer.
        seen = dnsmasq.queries().length;
        assert.equal(await lookup(world, NAME), undefined, 'split tunnel: other names are not sent into the tunnel');
        const outside = dnsmasq
          .queries()
          .slice(seen)
          .filter((l) => !new RegExp(`\\] \\S+\\.${esc(CORP_DOMAIN)} from `).test(l));
        assert.deepEqual(outside, [], 'only names under the search domain reach the tunnel');

        cli.child.kill('SIGTERM');
        assert.equal(await cli.exited, 0, cli.output());
        await backTo(world, before, 'after disconnect of the split profile');
      } catch (e) {
        throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- resolved:\n${world.log().slice(-3000)}`);
      } finally {
        // A failed assertion must not leave the tunnel up for the next test.
        if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
          cli.child.kill('SIGKILL');
          await cli.exited;
        }
        await world.stop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'resolvconf: a tun.<if>.causeway record ahead of the LAN; removed on disconnect and by crash recovery',
    { timeout: 180_000 },
    async () => {
      const world = await startResolvconf(client.name, client.serverAddress);
      try {
        const before = await world.snapshot();
        assert.match(before, /--- eth0\.dhclient/);
        assert.equal(await lookup(world), undefined);
        let c = await connected(world);
        const conf = await world.sh('cat /etc/resolv.conf; ls /run/resolvconf/interface');
        assert.match(
          conf,
          new RegExp(`nameserver ${BRIDGE.replace(/\./g, '\\.')}\\nnameserver ${client.serverAddress}`),
        );
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
    },
  );

  it(
    'no manager: /etc/resolv.conf replaced by rename (new inode, same mode), restored byte for byte',
    { timeout: 180_000 },
    async () => {
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
    },
  );
});
