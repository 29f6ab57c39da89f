// set-ipv6 and the full tunnel's IPv6: exact `ip` commands, the block/unblock order, and their undo.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Helper } from '../../../main/helper/root/helper.js';
import type { Response } from '../../../main/helper/protocol.js';
import { undoStep } from '../../../main/helper/root/undo-step.js';
import { fakeSystem, memoryStore, type Responder } from './fake-system.js';

let nextId = 1;
async function call(helper: Helper, fields: Record<string, unknown>): Promise<Response> {
  return helper.handleLine(JSON.stringify({ id: nextId++, ...fields }));
}
async function ok(helper: Helper, fields: Record<string, unknown>): Promise<void> {
  const r = await call(helper, fields);
  assert.ok(r.ok, r.ok ? '' : `${String(fields.verb)}: ${r.error.code}: ${r.error.message}`);
}

async function fullTunnel(responder?: Responder) {
  const system = fakeSystem(responder);
  const store = memoryStore();
  const helper = new Helper({ system, store, log: () => {} });
  await ok(helper, { verb: 'create-tun', uid: 1000 });
  await ok(helper, { verb: 'configure', name: 'causeway0', address: '10.0.0.2', peer: '10.0.0.1', mtu: 1400 });
  await ok(helper, { verb: 'set-routes', name: 'causeway0', mode: 'full', routes: [], serverAddress: '198.51.100.7' });
  return { system, store, helper };
}

const LL = 'fe80::21a:2bff:fe3c:4d5e/64';
const GLOBAL = '2001:db8:1:2:21a:2bff:fe3c:4d5e/64';

test('IPv6CP up: link-local added, then the tunnel routes, and only then the block goes', async () => {
  const { system, helper } = await fullTunnel();
  const before = system.calls.length;
  await ok(helper, { verb: 'set-ipv6', name: 'causeway0', linkLocal: LL });
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-6', 'addr', 'add', LL, 'dev', 'causeway0', 'nodad'],
    ['ip', '-6', 'route', 'add', '::/1', 'dev', 'causeway0'],
    ['ip', '-6', 'route', 'add', '8000::/1', 'dev', 'causeway0'],
    ['ip', '-6', 'route', 'del', 'unreachable', '8000::/1', 'metric', '65535'],
    ['ip', '-6', 'route', 'del', 'unreachable', '::/1', 'metric', '65535'],
  ]);
});

test('the RA address: added with its lifetimes, refreshed in place, replaced, and IPv6 gone blocks again', async () => {
  const { system, helper } = await fullTunnel();
  await ok(helper, { verb: 'set-ipv6', name: 'causeway0', linkLocal: LL });
  let before = system.calls.length;
  const global = { address: GLOBAL, validLifetime: 3600, preferredLifetime: 1800 };
  await ok(helper, { verb: 'set-ipv6', name: 'causeway0', linkLocal: LL, global });
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-6', 'addr', 'add', GLOBAL, 'dev', 'causeway0', 'nodad', 'valid_lft', '3600', 'preferred_lft', '1800'],
  ]);
  before = system.calls.length;
  await ok(helper, {
    verb: 'set-ipv6',
    name: 'causeway0',
    linkLocal: LL,
    global: { ...global, validLifetime: 0xffffffff, preferredLifetime: 0xffffffff },
  });
  assert.deepEqual(system.calls.slice(before), [
    [
      'ip',
      '-6',
      'addr',
      'change',
      GLOBAL,
      'dev',
      'causeway0',
      'nodad',
      'valid_lft',
      'forever',
      'preferred_lft',
      'forever',
    ],
  ]);
  before = system.calls.length;
  const other = '2001:db8:9:0:21a:2bff:fe3c:4d5e/64';
  await ok(helper, { verb: 'set-ipv6', name: 'causeway0', linkLocal: LL, global: { ...global, address: other } });
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-6', 'addr', 'add', other, 'dev', 'causeway0', 'nodad', 'valid_lft', '3600', 'preferred_lft', '1800'],
    ['ip', '-6', 'addr', 'del', GLOBAL, 'dev', 'causeway0'],
  ]);
  before = system.calls.length;
  await ok(helper, { verb: 'set-ipv6', name: 'causeway0' });
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-6', 'addr', 'del', LL, 'dev', 'causeway0'],
    ['ip', '-6', 'addr', 'del', other, 'dev', 'causeway0'],
    ['ip', '-6', 'route', 'add', 'unreachable', '::/1', 'metric', '65535'],
    ['ip', '-6', 'route', 'add', 'unreachable', '8000::/1', 'metric', '65535'],
    ['ip', '-6', 'route', 'del', '8000::/1', 'dev', 'causeway0'],
    ['ip', '-6', 'route', 'del', '::/1', 'dev', 'causeway0'],
  ]);
});

test('split tunnel: IPv6 addresses but no IPv6 routes of ours and no block', async () => {
  const system = fakeSystem();
  const helper = new Helper({ system, store: memoryStore(), log: () => {} });
  await ok(helper, { verb: 'create-tun', uid: 1000 });
  await ok(helper, { verb: 'configure', name: 'causeway0', address: '10.0.0.2', peer: '10.0.0.1', mtu: 1400 });
  await ok(helper, {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'split',
    routes: ['10.1.0.0/16'],
    serverAddress: '198.51.100.7',
  });
  await ok(helper, { verb: 'set-ipv6', name: 'causeway0', linkLocal: LL });
  const v6routes = system.calls.filter((c) => c[1] === '-6' && c[2] === 'route');
  assert.deepEqual(v6routes, []);
});

test('teardown and crash cleanup undo the IPv6 addresses and routes', async () => {
  const { system, store, helper } = await fullTunnel();
  await ok(helper, {
    verb: 'set-ipv6',
    name: 'causeway0',
    linkLocal: LL,
    global: { address: GLOBAL, validLifetime: 600, preferredLifetime: 300 },
  });
  // What a crash leaves: the persisted journal, each step valid for the root process that re-reads it.
  const saved = store.saved[store.saved.length - 1] ?? [];
  for (const s of saved) assert.ok(undoStep(s, '').ok, JSON.stringify(s));
  const kinds = saved.map((s) => s.kind);
  assert.deepEqual(
    kinds.filter((k) => k.endsWith('6')),
    ['delete-address6', 'delete-address6', 'delete-route6', 'delete-route6'],
  );
  const before = system.calls.length;
  await ok(helper, { verb: 'teardown' });
  const undo = system.calls.slice(before).filter((c) => c[1] === '-6');
  assert.deepEqual(undo, [
    ['ip', '-6', 'route', 'del', '8000::/1', 'dev', 'causeway0'],
    ['ip', '-6', 'route', 'del', '::/1', 'dev', 'causeway0'],
    ['ip', '-6', 'addr', 'del', GLOBAL, 'dev', 'causeway0'],
    ['ip', '-6', 'addr', 'del', LL, 'dev', 'causeway0'],
  ]);
  assert.equal(helper.journal.size, 0);
});

test("another VPN's IPv6 half is not taken for ours", async () => {
  const { helper } = await fullTunnel((p, args) => {
    const a = args.join(' ');
    if (a === '-6 route add ::/1 dev causeway0') return { code: 2, stderr: 'RTNETLINK answers: File exists' };
    if (a === '-6 -j route show exact ::/1') return { stdout: JSON.stringify([{ dst: '::/1', dev: 'tun9' }]) };
    return undefined;
  });
  const r = await call(helper, { verb: 'set-ipv6', name: 'causeway0', linkLocal: LL });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error.message, /::\/1 is already taken through tun9/);
});

test('set-ipv6 refuses what is not a link-local /64 or a global /64', async () => {
  const { helper } = await fullTunnel();
  for (const fields of [
    { linkLocal: '2001:db8::1/64' },
    { linkLocal: 'fe80::1/128' },
    { linkLocal: LL, global: { address: 'fe80::2/64', validLifetime: 1, preferredLifetime: 1 } },
    { linkLocal: LL, global: { address: GLOBAL, validLifetime: -1, preferredLifetime: 1 } },
  ]) {
    const r = await call(helper, { verb: 'set-ipv6', name: 'causeway0', ...fields });
    assert.equal(r.ok, false, JSON.stringify(fields));
    if (!r.ok) assert.equal(r.error.code, 'invalid');
  }
  const r = await call(helper, { verb: 'set-ipv6', name: 'eth0', linkLocal: LL });
  assert.ok(!r.ok && r.error.code === 'refused');
});
