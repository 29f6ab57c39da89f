// Valid requests → the exact `ip …` / `resolvectl …` argument arrays, and their undo in reverse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Helper } from '../../../main/helper/root/helper.js';
import type { Response } from '../../../main/helper/protocol.js';
import { fakeSystem, memoryStore, type Responder } from './fake-system.js';

let nextId = 1;
async function call(helper: Helper, fields: Record<string, unknown>): Promise<Response & { ok: true }> {
  const r = await helper.handleLine(JSON.stringify({ id: nextId++, ...fields }));
  assert.ok(r.ok, r.ok ? '' : `${String(fields.verb)}: ${r.error.code}: ${r.error.message}`);
  return r as Response & { ok: true };
}

function setup(responder?: Responder) {
  const system = fakeSystem(responder);
  const store = memoryStore();
  const helper = new Helper({ system, store, log: () => {} });
  return { system, store, helper };
}

async function upTunnel(helper: Helper) {
  await call(helper, { verb: 'create-tun', uid: 1000 });
  await call(helper, { verb: 'configure', name: 'causeway0', address: '10.0.0.2/32', peer: '10.0.0.1', mtu: 1400 });
}

const SERVER = '198.51.100.7';

/** set-routes on the fake's causeway0 with the usual server address. */
function setRoutes(helper: Helper, mode: 'full' | 'split', routes: readonly string[]) {
  return call(helper, { verb: 'set-routes', name: 'causeway0', mode, routes, serverAddress: SERVER });
}

/** The same request, for the tests that expect a refusal or a failure: the raw response. */
function trySetRoutes(helper: Helper, mode: 'full' | 'split', routes: readonly string[]): Promise<Response> {
  return helper.handleLine(
    JSON.stringify({ id: nextId++, verb: 'set-routes', name: 'causeway0', mode, routes, serverAddress: SERVER }),
  );
}

/** A responder that answers one exact command line (`ip` arguments joined by spaces) and no other. */
function answering(line: string, reply: { code?: number; stdout?: string; stderr?: string }): Responder {
  return (_p, args) => (args.join(' ') === line ? reply : undefined);
}

const FILE_EXISTS = { code: 2, stderr: 'RTNETLINK answers: File exists' };

test("create-tun picks the first free causewayN and makes it the uid's", async () => {
  const { system, helper } = setup(
    answering('-j link show', { stdout: JSON.stringify([{ ifname: 'lo' }, { ifname: 'causeway0' }]) }),
  );
  const r = await call(helper, { verb: 'create-tun', uid: 1000 });
  assert.deepEqual(r.result, { name: 'causeway1' });
  assert.deepEqual(system.calls, [
    ['ip', '-j', 'link', 'show'],
    ['ip', 'tuntap', 'add', 'dev', 'causeway1', 'mode', 'tun', 'user', '1000'],
  ]);
});

test('create-tun refuses a name that exists (ip tuntap add would silently adopt it)', async () => {
  const { system, helper } = setup();
  const r = await helper.handleLine(JSON.stringify({ id: 1, verb: 'create-tun', uid: 1000, name: 'eth0' }));
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'refused');
  assert.deepEqual(system.changes(), []);
});

test('configure: MTU, point-to-point /32, optional IPv6, up', async () => {
  const { system, helper } = setup();
  await call(helper, { verb: 'create-tun', uid: 1000, name: 'cw-test' });
  await call(helper, {
    verb: 'configure',
    name: 'cw-test',
    address: '10.0.0.2',
    peer: '10.0.0.1',
    mtu: 1400,
    ipv6: { address: 'FE80::0:1/64' },
  });
  assert.deepEqual(system.changes().slice(1), [
    ['ip', 'link', 'set', 'dev', 'cw-test', 'mtu', '1400'],
    ['ip', 'addr', 'add', '10.0.0.2/32', 'peer', '10.0.0.1/32', 'dev', 'cw-test'],
    ['ip', '-6', 'addr', 'add', 'fe80::1/64', 'dev', 'cw-test', 'nodad'],
    ['ip', 'link', 'set', 'dev', 'cw-test', 'addrgenmode', 'none'],
    ['ip', 'link', 'set', 'dev', 'cw-test', 'up'],
  ]);
});

/** Our table for the fake's causeway0 (ifindex 7): TABLE_BASE + 7. */
const TABLE = String(0x43570000 + 7);

test('full tunnel: server host route kept in main, the catch-all in our table behind a rule pair, all verified', async () => {
  const { system, helper } = setup();
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await setRoutes(helper, 'full', ['172.16.0.0/12', '0.0.0.0/1']);
  assert.deepEqual(r.result, { serverRoute: { destination: '198.51.100.7/32', gateway: '192.0.2.1', dev: 'eth0' } });
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-j', 'route', 'get', '198.51.100.7'],
    ['ip', 'route', 'add', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
    // a listed /1 is covered by the table; other extra routes stay in main (longest prefix decides there)
    ['ip', 'route', 'add', '172.16.0.0/12', 'dev', 'causeway0'],
    ['ip', '-j', 'link', 'show', 'dev', 'causeway0'],
    ['ip', 'rule', 'add', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
    ['ip', 'rule', 'add', 'pref', '30063', 'lookup', TABLE],
    ['ip', 'route', 'replace', 'default', 'dev', 'causeway0', 'table', TABLE],
    // verified: the middle of each half and of the extra route come out on our TUN, the server on its path
    ['ip', '-j', 'route', 'get', 'fibmatch', '64.0.0.0'],
    ['ip', '-j', 'route', 'get', 'fibmatch', '192.0.0.0'],
    ['ip', '-j', 'route', 'get', 'fibmatch', '172.24.0.0'],
    ['ip', '-j', 'route', 'get', '198.51.100.7'],
    // No IPv6 in the tunnel: a full tunnel blocks it rather than let it go around.
    ['ip', '-j', 'link', 'show', 'dev', 'causeway0'],
    ['ip', '-6', 'rule', 'add', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
    ['ip', '-6', 'rule', 'add', 'pref', '30063', 'lookup', TABLE],
    ['ip', '-6', 'route', 'replace', 'unreachable', 'default', 'table', TABLE],
    ['ip', '-j', 'route', 'get', 'fibmatch', '4000::'],
    ['ip', '-j', 'route', 'get', 'fibmatch', 'c000::'],
  ]);
});

test('full tunnel with IPv6: the IPv6 table routes into the TUN; an on-link server gets a route without via', async () => {
  const { system, helper } = setup((p, args) =>
    args[1] === 'route' && args[2] === 'get' && args[3] !== 'fibmatch'
      ? { stdout: JSON.stringify([{ dst: args[3], dev: 'wlan0' }]) }
      : undefined,
  );
  await call(helper, { verb: 'create-tun', uid: 1000 });
  await call(helper, {
    verb: 'configure',
    name: 'causeway0',
    address: '10.0.0.2',
    peer: '10.0.0.1',
    mtu: 1400,
    ipv6: { address: 'fe80::2/64' },
  });
  const before = system.calls.length;
  await call(helper, { verb: 'set-routes', name: 'causeway0', mode: 'full', routes: [], serverAddress: '2001:db8::7' });
  const changes = system.calls.slice(before).filter((c) => c[1] !== '-j');
  assert.deepEqual(changes, [
    ['ip', 'route', 'add', '2001:db8::7/128', 'dev', 'wlan0'],
    ['ip', 'rule', 'add', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
    ['ip', 'rule', 'add', 'pref', '30063', 'lookup', TABLE],
    ['ip', 'route', 'replace', 'default', 'dev', 'causeway0', 'table', TABLE],
    ['ip', '-6', 'rule', 'add', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
    ['ip', '-6', 'rule', 'add', 'pref', '30063', 'lookup', TABLE],
    ['ip', '-6', 'route', 'replace', 'default', 'dev', 'causeway0', 'table', TABLE],
  ]);
  assert.ok(
    system.calls.slice(before).some((c) => c.join(' ') === 'ip -j route get 2001:db8::7'),
    'server path verified',
  );
});

test('split tunnel: only the listed routes (deduplicated, canonical); no server route unless captured', async () => {
  const { system, helper } = setup();
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await setRoutes(helper, 'split', ['10.1.0.0/16', '2001:DB8::/32', '10.1.0.0/16']);
  assert.deepEqual(r.result, {});
  assert.deepEqual(system.calls.slice(before), [
    ['ip', 'route', 'add', '10.1.0.0/16', 'dev', 'causeway0'],
    ['ip', 'route', 'add', '2001:db8::/32', 'dev', 'causeway0'],
    // split routes stay in main, no rules; each verified by the middle of its range
    ['ip', '-j', 'route', 'get', 'fibmatch', '10.1.128.0'],
    ['ip', '-j', 'route', 'get', 'fibmatch', '2001:db8:8000::'],
  ]);
  const again = system.calls.length;
  await setRoutes(helper, 'split', ['198.51.0.0/16']);
  assert.deepEqual(system.calls.slice(again), [
    // the previous set goes first, newest first
    ['ip', 'route', 'del', '2001:db8::/32', 'dev', 'causeway0'],
    ['ip', 'route', 'del', '10.1.0.0/16', 'dev', 'causeway0'],
    ['ip', '-j', 'route', 'get', '198.51.100.7'],
    ['ip', 'route', 'add', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
    ['ip', 'route', 'add', '198.51.0.0/16', 'dev', 'causeway0'],
    ['ip', '-j', 'route', 'get', 'fibmatch', '198.51.128.0'],
    ['ip', '-j', 'route', 'get', '198.51.100.7'],
  ]);
});

test('a route that fails rolls back the whole set-routes', async () => {
  const { system, helper } = setup(
    answering('route add 172.16.0.0/12 dev causeway0', { code: 2, stderr: 'RTNETLINK answers: Invalid argument' }),
  );
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await trySetRoutes(helper, 'split', ['10.1.0.0/16', '172.16.0.0/12']);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'failed');
    assert.match(r.error.message, /172\.16\.0\.0\/12.*Invalid argument/);
  }
  assert.deepEqual(system.calls.slice(before), [
    ['ip', 'route', 'add', '10.1.0.0/16', 'dev', 'causeway0'],
    ['ip', 'route', 'add', '172.16.0.0/12', 'dev', 'causeway0'],
    ['ip', 'route', 'del', '10.1.0.0/16', 'dev', 'causeway0'],
  ]);
});

test("another tunnel's rule slot is skipped: the kernel's File exists on the suppress rule moves us to the next", async () => {
  const { system, helper } = setup(answering('rule add pref 30062 lookup main suppress_prefixlength 1', FILE_EXISTS));
  await upTunnel(helper);
  await setRoutes(helper, 'full', []);
  const rules = system.changes().filter((c) => c[1] === 'rule');
  assert.deepEqual(rules.slice(0, 3), [
    ['ip', 'rule', 'add', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
    ['ip', 'rule', 'add', 'pref', '30060', 'lookup', 'main', 'suppress_prefixlength', '1'],
    ['ip', 'rule', 'add', 'pref', '30061', 'lookup', TABLE],
  ]);
  // Only what we added is journaled: the taken slot is not ours to undo.
  const steps = helper.journal.size;
  await call(helper, { verb: 'teardown' });
  assert.ok(steps > 0);
  const dels = system.changes().filter((c) => c[1] === 'rule' && c[2] === 'del');
  assert.deepEqual(dels, [
    ['ip', 'rule', 'del', 'pref', '30061', 'lookup', TABLE],
    ['ip', 'rule', 'del', 'pref', '30060', 'lookup', 'main', 'suppress_prefixlength', '1'],
  ]);
});

test('verified, not assumed: a broader route elsewhere that still wins fails set-routes clearly and rolls back', async () => {
  // Say a rule before ours sends everything to another VPN's table: the kernel answers with its route.
  const { system, helper } = setup((_p, args) =>
    args.join(' ').startsWith('-j route get fibmatch ') && !args[4]?.includes(':')
      ? { stdout: JSON.stringify([{ dst: 'default', dev: 'wg0', table: '51820' }]) }
      : undefined,
  );
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await trySetRoutes(helper, 'full', []);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'failed');
    assert.match(
      r.error.message,
      /traffic for 0\.0\.0\.0\/1 would leave through wg0 \(route default, table 51820\), not causeway0.*Disconnect the other VPN/,
    );
  }
  // Rolled back newest first: nothing of ours stays.
  assert.deepEqual(
    system.calls.slice(before).filter((c) => c[2] === 'del' || c[2] === 'flush'),
    [
      ['ip', 'route', 'flush', 'table', TABLE],
      ['ip', 'rule', 'del', 'pref', '30063', 'lookup', TABLE],
      ['ip', 'rule', 'del', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
      ['ip', 'route', 'del', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
    ],
  );
  assert.equal(helper.journal.size, 2, 'only the TUN and its address are left');
});

test('a more specific route of someone else (the LAN inside a split route) is accepted; the next probe is ours', async () => {
  const { system, helper } = setup(
    answering('-j route get fibmatch 10.128.0.0', {
      stdout: JSON.stringify([{ dst: '10.128.0.0/24', dev: 'eth0', protocol: 'kernel' }]),
    }),
  );
  await upTunnel(helper);
  await setRoutes(helper, 'split', ['10.0.0.0/8']);
  assert.deepEqual(
    system.calls.filter((c) => c[4] === 'fibmatch').map((c) => c[5]),
    ['10.128.0.0', '10.0.0.1'],
  );
});

test('a "File exists" for a route that is already ours (through our TUN) is accepted', async () => {
  const { helper } = setup((_p, args) => {
    const a = args.join(' ');
    if (a === 'route add 10.1.0.0/16 dev causeway0') return FILE_EXISTS;
    if (a === '-j route show exact 10.1.0.0/16')
      return { stdout: JSON.stringify([{ dst: '10.1.0.0/16', dev: 'causeway0' }]) };
    return undefined;
  });
  await upTunnel(helper);
  await setRoutes(helper, 'split', ['10.1.0.0/16']);
});

test('an existing identical route is used and left alone on teardown', async () => {
  const { system, helper } = setup(answering('route add 198.51.100.7/32 via 192.0.2.1 dev eth0', FILE_EXISTS));
  await upTunnel(helper);
  await setRoutes(helper, 'full', []);
  const before = system.calls.length;
  await call(helper, { verb: 'teardown' });
  assert.equal(
    system.calls.slice(before).some((c) => c.includes('198.51.100.7/32')),
    false,
  );
});

test('DNS through systemd-resolved when it runs', async () => {
  const { system, helper } = setup();
  system.resolved = true;
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await call(helper, {
    verb: 'set-dns',
    name: 'causeway0',
    servers: ['10.0.0.53', '2001:DB8::53'],
    searchDomains: ['corp.example'],
    defaultRoute: true,
  });
  assert.deepEqual(r.result, { method: 'resolved' });
  assert.deepEqual(system.calls.slice(before), [
    ['resolvectl', '--no-pager', 'dns'], // detection: does resolved answer on the bus?
    ['resolvectl', 'dns', 'causeway0', '10.0.0.53', '2001:db8::53'],
    ['resolvectl', 'domain', 'causeway0', 'corp.example', '~.'],
    ['resolvectl', 'default-route', 'causeway0', 'yes'],
  ]);
  assert.deepEqual(system.resolvConfWrites, []);
  const td = system.calls.length;
  await call(helper, { verb: 'teardown' });
  assert.deepEqual(system.calls[td], ['resolvectl', 'revert', 'causeway0']);
});

test('DNS through resolv.conf otherwise: options kept, original restored on teardown', async () => {
  const { system, helper } = setup();
  const original = system.resolvConf;
  await upTunnel(helper);
  const r = await call(helper, {
    verb: 'set-dns',
    name: 'causeway0',
    servers: ['10.0.0.53'],
    searchDomains: ['corp.example', 'lab.example'],
    defaultRoute: true,
  });
  assert.deepEqual(r.result, { method: 'resolv.conf' });
  assert.equal(
    system.resolvConf,
    '# Written by Causeway for causeway0; the previous file comes back when the tunnel closes.\nnameserver 10.0.0.53\nsearch corp.example lab.example\noptions edns0\n',
  );
  // A second set-dns restores first, so the backup stays the true original.
  await call(helper, { verb: 'set-dns', name: 'causeway0', servers: ['10.0.0.54'] });
  await call(helper, { verb: 'teardown' });
  assert.equal(system.resolvConf, original);
});

test('resolv.conf rewritten by someone else meanwhile is left alone', async () => {
  const { system, helper } = setup();
  await upTunnel(helper);
  await call(helper, { verb: 'set-dns', name: 'causeway0', servers: ['10.0.0.53'] });
  system.resolvConf = 'nameserver 192.0.2.99\n';
  const r = await call(helper, { verb: 'teardown' });
  assert.equal(system.resolvConf, 'nameserver 192.0.2.99\n');
  assert.equal((r.result as { failed: number }).failed, 1);
});

test('teardown undoes everything newest first and empties the journal', async () => {
  const { system, store, helper } = setup();
  await upTunnel(helper);
  await setRoutes(helper, 'full', []);
  const before = system.calls.length;
  const r = await call(helper, { verb: 'teardown' });
  assert.deepEqual(r.result, { undone: 9, failed: 0 });
  assert.deepEqual(system.calls.slice(before), [
    // IPv6 first (newest): the table's route, then the lookup rule, and the suppress rule only once
    // no other tunnel's lookup sits right after it
    ['ip', '-6', 'route', 'flush', 'table', TABLE],
    ['ip', '-6', 'rule', 'del', 'pref', '30063', 'lookup', TABLE],
    ['ip', '-j', '-6', 'rule', 'show', 'pref', '30063'],
    ['ip', '-6', 'rule', 'del', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
    ['ip', 'route', 'flush', 'table', TABLE],
    ['ip', 'rule', 'del', 'pref', '30063', 'lookup', TABLE],
    ['ip', '-j', 'rule', 'show', 'pref', '30063'],
    ['ip', 'rule', 'del', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
    ['ip', 'route', 'del', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
    ['ip', 'addr', 'del', '10.0.0.2/32', 'peer', '10.0.0.1/32', 'dev', 'causeway0'],
    ['ip', '-j', '-d', 'link', 'show', 'dev', 'causeway0'],
    ['ip', 'link', 'delete', 'dev', 'causeway0'],
  ]);
  assert.equal(helper.journal.size, 0);
  assert.ok(store.removed > 0);
  // The journal was written ahead of each change.
  assert.deepEqual(store.saved[0], [{ kind: 'delete-link', group: 'tun', name: 'causeway0' }]);
  // And the helper can start over.
  await call(helper, { verb: 'create-tun', uid: 1000 });
});

test('a link that is no longer a TUN is not deleted', async () => {
  const { system, helper } = setup((p, args) =>
    args[2] === 'link' && args[1] === '-d'
      ? { stdout: JSON.stringify([{ ifname: args[5], linkinfo: { info_kind: 'veth' } }]) }
      : undefined,
  );
  await call(helper, { verb: 'create-tun', uid: 1000 });
  await call(helper, { verb: 'teardown' });
  assert.equal(
    system.calls.some((c) => c[1] === 'link' && c[2] === 'delete'),
    false,
  );
});

test('create-tun twice is refused until teardown', async () => {
  const { helper } = setup();
  await call(helper, { verb: 'create-tun', uid: 1000 });
  const r = await helper.handleLine(JSON.stringify({ id: 1, verb: 'create-tun', uid: 1000 }));
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'refused');
});
