// Root: the full tunnel's catch-all in a table of its own behind a rule pair (policy-rules.ts), with
// the real helper and the kernel's own answers (`ip route get`). Another VPN's def1 halves
// (0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1 on a veth in main, as OpenVPN sets them) are up before
// ours: ours wins, the server and the LAN keep their paths, nothing changes for us when the other VPN
// goes, and after disconnect, two tunnels at once, or a SIGKILL plus the next helper's cleanup, no
// rule or table of ours is left.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { HelperClient } from '../../../main/helper/client/client.js';
import { PREF_BASE, SLOTS, TABLE_BASE } from '../../../main/helper/root/policy-steps.js';
import { addUplink, createNetns, deleteNetns, helperIn, IP, isRoot } from './netns.js';

const NS = 'cwt-rtable';
const ip = (...args: string[]) => execFileSync(IP, ['-n', NS, ...args], { encoding: 'utf8' });

function freshNamespace(): void {
  createNetns(NS);
  addUplink(NS); // cwt-up0 192.168.77.2/24, default via 192.168.77.1: the LAN and the way out
  ip('-6', 'addr', 'add', 'fd00:77::2/64', 'dev', 'cwt-up0', 'nodad');
  ip('-6', 'route', 'add', 'default', 'via', 'fd00:77::1', 'dev', 'cwt-up0');
  ip('link', 'add', 'othervpn0', 'type', 'veth', 'peer', 'name', 'othervpn1');
  ip('link', 'set', 'othervpn1', 'up');
  ip('link', 'set', 'othervpn0', 'up');
  // The other VPN keeps its own server on the uplink, as OpenVPN does; ours is one it carries.
  ip('route', 'add', '203.0.113.50/32', 'via', '192.168.77.1', 'dev', 'cwt-up0');
  ip('addr', 'add', '10.8.0.2/24', 'dev', 'othervpn0');
  ip('-6', 'addr', 'add', 'fd00:8::2/64', 'dev', 'othervpn0', 'nodad');
  for (const half of ['0.0.0.0/1', '128.0.0.0/1']) ip('route', 'add', half, 'dev', 'othervpn0');
  for (const half of ['::/1', '8000::/1']) ip('-6', 'route', 'add', half, 'dev', 'othervpn0');
}

const INTERNET = ['1.1.1.1', '200.1.2.3', '2001:db8:9::1', 'c000::1'];
const LAN = ['192.168.77.50', 'fd00:77::50'];

/** The device a packet to `address` leaves through, as the kernel decides (rules included). */
function via(address: string): string {
  const got = JSON.parse(ip('-j', 'route', 'get', address)) as { dev?: string }[];
  return got[0]?.dev ?? '?';
}

interface Rule {
  priority: number;
  table?: string;
  suppress_prefixlen?: number;
}

/** Rules and table routes of ours, both families: empty when nothing is left. */
function ours(): string[] {
  const found: string[] = [];
  for (const family of ['-4', '-6']) {
    for (const r of JSON.parse(ip('-j', family, 'rule', 'show')) as Rule[]) {
      const ourPref = r.priority >= PREF_BASE && r.priority < PREF_BASE + 2 * SLOTS;
      const ourTable = r.table !== undefined && Number(r.table) >= TABLE_BASE && Number(r.table) <= TABLE_BASE + 0xffff;
      if (ourPref || ourTable) found.push(`${family} rule ${JSON.stringify(r)}`);
    }
    for (const r of JSON.parse(ip('-j', family, 'route', 'show', 'table', 'all')) as { table?: string; dst: string }[])
      if (r.table !== undefined && Number(r.table) >= TABLE_BASE && Number(r.table) <= TABLE_BASE + 0xffff)
        found.push(`${family} route ${JSON.stringify(r)}`);
  }
  return found;
}

/**
 * A helper with a full tunnel up (IPv6 too). The server keeps the path it had before, whatever that
 * was (the uplink, or the other VPN that carried it), and still has it after set-routes.
 */
async function fullTunnel(tun: string, peer: string, server: string): Promise<HelperClient> {
  const client = await HelperClient.start(helperIn(NS));
  try {
    await client.createTun({ name: tun, uid: 0 });
    // configure's own IPv6 address: the tunnel carries IPv6, so IPv6 goes into it (not blocked).
    const address = peer.replace(/\.2$/, '.1');
    await client.configure({ name: tun, address, peer, mtu: 1400, ipv6: { address: 'fe80::1/64' } });
    const path = via(server);
    const r = await client.setRoutes({ name: tun, mode: 'full', routes: [], serverAddress: server });
    assert.equal(r.serverRoute?.dev, path, `the server ${server} keeps its path`);
    assert.equal(via(server), path, `the server ${server} still leaves through ${path}`);
    return client;
  } catch (e) {
    await client.close(); // a helper left running would keep the test process alive
    throw e;
  }
}

describe('the full tunnel in a table of its own (root, netns)', { skip: isRoot() ? false : 'needs root' }, () => {
  after(() => deleteNetns(NS));

  test(
    "another VPN's def1 routes up first: ours wins, server and LAN keep their paths, and still ours when it goes",
    { timeout: 30_000 },
    async () => {
      freshNamespace();
      assert.equal(via('1.1.1.1'), 'othervpn0', 'the other VPN has everything before us');
      const rulesBefore = ip('rule', 'show') + ip('-6', 'rule', 'show');
      // Our server is one the other VPN carries: it stays there, so the outer connection never enters its own tunnel.
      const client = await fullTunnel('cwt-tb0', '10.99.0.2', '198.51.100.7');
      try {
        for (const a of INTERNET) assert.equal(via(a), 'cwt-tb0', `${a} into the tunnel`);
        // The other VPN's server and the LAN keep the uplink; the LAN is the kill switch's business, not ours.
        for (const a of ['203.0.113.50', ...LAN]) assert.equal(via(a), 'cwt-up0', `${a} on its path`);
        // The other VPN's own subnet is more specific than anything of ours: still its.
        assert.equal(via('10.8.0.9'), 'othervpn0');
        assert.equal(ours().length, 6, ours().join('\n')); // 2 rules + 1 route, per family

        ip('link', 'del', 'othervpn0'); // the other VPN goes away: its /1 halves go with its device
        for (const a of INTERNET) assert.equal(via(a), 'cwt-tb0', `${a} still ours, nothing in clear`);
        for (const a of LAN) assert.equal(via(a), 'cwt-up0', `${a} still on the LAN`);
      } finally {
        await client.close();
      }
      assert.deepEqual(ours(), [], 'disconnect leaves no rule or table of ours');
      assert.equal(ip('rule', 'show') + ip('-6', 'rule', 'show'), rulesBefore);
    },
  );

  test(
    'two tunnels at once: each its own table and rule slot; the newest wins, the first takes over again when it goes',
    { timeout: 30_000 },
    async () => {
      freshNamespace();
      const a = await fullTunnel('cwt-tb1', '10.98.0.2', '203.0.113.50');
      after(() => a.close());
      // The second's server is reached through the first tunnel when it connects: nested, as the kernel says.
      // Then the second captures everything else (the newest wins, as against another VPN).
      const b = await fullTunnel('cwt-tb2', '10.97.0.2', '198.51.100.8');
      try {
        const rules = JSON.parse(ip('-j', 'rule', 'show')) as Rule[];
        const prefs = rules
          .filter((r) => r.priority >= PREF_BASE && r.priority < PREF_BASE + 2 * SLOTS)
          .map((r) => r.priority);
        const top = PREF_BASE + 2 * (SLOTS - 1);
        assert.deepEqual(prefs, [top - 2, top - 1, top, top + 1], 'two slots, the newer one first, no sharing');
        assert.equal(ours().length, 12, ours().join('\n'));
        for (const x of INTERNET) assert.equal(via(x), 'cwt-tb2', `${x}: the newest tunnel captures`);
        await b.close();
        for (const x of INTERNET) assert.equal(via(x), 'cwt-tb1', `${x}: the first carries it again, nothing in clear`);
        for (const x of LAN) assert.equal(via(x), 'cwt-up0');
        assert.equal(ours().length, 6, `only the first's are left:\n${ours().join('\n')}`);
      } finally {
        await a.close();
        await b.close();
      }
      assert.deepEqual(ours(), []);
    },
  );

  test(
    "SIGKILL of the helper: its rules and table stay (fail closed) until the next helper's cleanup",
    { timeout: 30_000 },
    async () => {
      freshNamespace();
      const first = await fullTunnel('cwt-tb3', '10.96.0.2', '198.51.100.7');
      process.kill(first.pid ?? 0, 'SIGKILL');
      await first.exited();
      assert.equal(via('1.1.1.1'), 'cwt-tb3', 'a killed helper leaves its capture in place');
      assert.equal(ours().length, 6);
      const second = await HelperClient.start(helperIn(NS));
      try {
        assert.deepEqual(ours(), [], 'the next helper undid the leftovers on start');
        assert.equal(via('1.1.1.1'), 'othervpn0');
      } finally {
        await second.close();
      }
    },
  );
});
