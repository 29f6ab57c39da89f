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

test("create-tun picks the first free causewayN and makes it the uid's", async () => {
  const { system, helper } = setup((p, args) =>
    args.join(' ') === '-j link show'
      ? { stdout: JSON.stringify([{ ifname: 'lo' }, { ifname: 'causeway0' }]) }
      : undefined,
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

test('full tunnel: server host route via the original gateway, two /1 halves, extra routes', async () => {
  const { system, helper } = setup();
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await call(helper, {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'full',
    routes: ['172.16.0.0/12', '0.0.0.0/1'],
    serverAddress: '198.51.100.7',
  });
  assert.deepEqual(r.result, { serverRoute: { destination: '198.51.100.7/32', gateway: '192.0.2.1', dev: 'eth0' } });
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-j', 'route', 'get', '198.51.100.7'],
    ['ip', 'route', 'add', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
    ['ip', 'route', 'add', '0.0.0.0/1', 'dev', 'causeway0'],
    ['ip', 'route', 'add', '128.0.0.0/1', 'dev', 'causeway0'],
    ['ip', 'route', 'add', '172.16.0.0/12', 'dev', 'causeway0'],
    // No IPv6 in the tunnel: a full tunnel blocks it rather than let it go around.
    ['ip', '-6', 'route', 'add', 'unreachable', '::/1', 'metric', '65535'],
    ['ip', '-6', 'route', 'add', 'unreachable', '8000::/1', 'metric', '65535'],
  ]);
});

test('full tunnel with IPv6 adds the IPv6 halves; an on-link server gets a route without via', async () => {
  const { system, helper } = setup((p, args) =>
    args[1] === 'route' && args[2] === 'get' ? { stdout: JSON.stringify([{ dst: args[3], dev: 'wlan0' }]) } : undefined,
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
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-j', 'route', 'get', '2001:db8::7'],
    ['ip', 'route', 'add', '2001:db8::7/128', 'dev', 'wlan0'],
    ['ip', 'route', 'add', '0.0.0.0/1', 'dev', 'causeway0'],
    ['ip', 'route', 'add', '128.0.0.0/1', 'dev', 'causeway0'],
    ['ip', '-6', 'route', 'add', '::/1', 'dev', 'causeway0'],
    ['ip', '-6', 'route', 'add', '8000::/1', 'dev', 'causeway0'],
  ]);
});

test('split tunnel: only the listed routes (deduplicated, canonical); no server route unless captured', async () => {
  const { system, helper } = setup();
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await call(helper, {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'split',
    routes: ['10.1.0.0/16', '2001:DB8::/32', '10.1.0.0/16'],
    serverAddress: '198.51.100.7',
  });
  assert.deepEqual(r.result, {});
  assert.deepEqual(system.calls.slice(before), [
    ['ip', 'route', 'add', '10.1.0.0/16', 'dev', 'causeway0'],
    ['ip', 'route', 'add', '2001:db8::/32', 'dev', 'causeway0'],
  ]);
  const again = system.calls.length;
  await call(helper, {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'split',
    routes: ['198.51.0.0/16'],
    serverAddress: '198.51.100.7',
  });
  assert.deepEqual(system.calls.slice(again), [
    // the previous set goes first, newest first
    ['ip', 'route', 'del', '2001:db8::/32', 'dev', 'causeway0'],
    ['ip', 'route', 'del', '10.1.0.0/16', 'dev', 'causeway0'],
    ['ip', '-j', 'route', 'get', '198.51.100.7'],
    ['ip', 'route', 'add', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
    ['ip', 'route', 'add', '198.51.0.0/16', 'dev', 'causeway0'],
  ]);
});

test('a route that fails rolls back the whole set-routes', async () => {
  const { system, helper } = setup((p, args) =>
    args.join(' ') === 'route add 172.16.0.0/12 dev causeway0'
      ? { code: 2, stderr: 'RTNETLINK answers: Invalid argument' }
      : undefined,
  );
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await helper.handleLine(
    JSON.stringify({
      id: 1,
      verb: 'set-routes',
      name: 'causeway0',
      mode: 'split',
      routes: ['10.1.0.0/16', '172.16.0.0/12'],
      serverAddress: '198.51.100.7',
    }),
  );
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

test("another VPN's full-tunnel route is not taken for ours: set-routes fails, says why, and rolls back", async () => {
  const { system, helper } = setup((_p, args) => {
    const a = args.join(' ');
    if (a === 'route add 0.0.0.0/1 dev causeway0') return { code: 2, stderr: 'RTNETLINK answers: File exists' };
    if (a === '-j route show exact 0.0.0.0/1')
      return { stdout: JSON.stringify([{ dst: '0.0.0.0/1', dev: 'tun0', scope: 'link' }]) };
    return undefined;
  });
  await upTunnel(helper);
  const before = system.calls.length;
  const r = await helper.handleLine(
    JSON.stringify({
      id: 1,
      verb: 'set-routes',
      name: 'causeway0',
      mode: 'full',
      routes: [],
      serverAddress: '198.51.100.7',
    }),
  );
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'failed');
    assert.match(
      r.error.message,
      /0\.0\.0\.0\/1 is already taken through tun0 \(another VPN\?\).*Disconnect the other VPN/,
    );
  }
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-j', 'route', 'get', '198.51.100.7'],
    ['ip', 'route', 'add', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
    ['ip', 'route', 'add', '0.0.0.0/1', 'dev', 'causeway0'],
    ['ip', '-j', 'route', 'show', 'exact', '0.0.0.0/1'],
    // rolled back: nothing of ours is left, and the other VPN's route is not touched
    ['ip', 'route', 'del', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
  ]);
});

test('a "File exists" for a route that is already ours (through our TUN) is accepted', async () => {
  const { helper } = setup((_p, args) => {
    const a = args.join(' ');
    if (a === 'route add 10.1.0.0/16 dev causeway0') return { code: 2, stderr: 'RTNETLINK answers: File exists' };
    if (a === '-j route show exact 10.1.0.0/16')
      return { stdout: JSON.stringify([{ dst: '10.1.0.0/16', dev: 'causeway0' }]) };
    return undefined;
  });
  await upTunnel(helper);
  await call(helper, {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'split',
    routes: ['10.1.0.0/16'],
    serverAddress: '198.51.100.7',
  });
});

test('an existing identical route is used and left alone on teardown', async () => {
  const { system, helper } = setup((p, args) =>
    args.join(' ') === 'route add 198.51.100.7/32 via 192.0.2.1 dev eth0'
      ? { code: 2, stderr: 'RTNETLINK answers: File exists' }
      : undefined,
  );
  await upTunnel(helper);
  await call(helper, {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'full',
    routes: [],
    serverAddress: '198.51.100.7',
  });
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
  await call(helper, {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'full',
    routes: [],
    serverAddress: '198.51.100.7',
  });
  const before = system.calls.length;
  const r = await call(helper, { verb: 'teardown' });
  assert.deepEqual(r.result, { undone: 7, failed: 0 });
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-6', 'route', 'del', 'unreachable', '8000::/1', 'metric', '65535'],
    ['ip', '-6', 'route', 'del', 'unreachable', '::/1', 'metric', '65535'],
    ['ip', 'route', 'del', '128.0.0.0/1', 'dev', 'causeway0'],
    ['ip', 'route', 'del', '0.0.0.0/1', 'dev', 'causeway0'],
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
