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

/** Our table for the fake's causeway0 (ifindex 7). */
const TABLE = String(0x43570000 + 7);
const LL = 'fe80::21a:2bff:fe3c:4d5e/64';
const GLOBAL = '2001:db8:1:2:21a:2bff:fe3c:4d5e/64';

test('IPv6CP up: link-local added, then the block in our table is replaced in place by the tunnel route', async () => {
  const { system, helper } = await fullTunnel();
  const before = system.calls.length;
  await ok(helper, { verb: 'set-ipv6', name: 'causeway0', linkLocal: LL });
  assert.deepEqual(system.calls.slice(before), [
    ['ip', '-6', 'addr', 'add', LL, 'dev', 'causeway0', 'nodad'],
    // one atomic replace: no instant with neither the block nor the tunnel; the rules stay as they are
    ['ip', '-6', 'route', 'replace', 'default', 'dev', 'causeway0', 'table', TABLE],
    ['ip', '-j', 'route', 'get', 'fibmatch', '4000::'],
    ['ip', '-j', 'route', 'get', 'fibmatch', 'c000::'],
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
    ['ip', '-6', 'route', 'replace', 'unreachable', 'default', 'table', TABLE],
    ['ip', '-j', 'route', 'get', 'fibmatch', '4000::'],
    ['ip', '-j', 'route', 'get', 'fibmatch', 'c000::'],
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
  const v6routes = system.calls.filter((c) => c[1] === '-6' && (c[2] === 'route' || c[2] === 'rule'));
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
  assert.deepEqual(
    saved.filter((s) => s.kind.endsWith('6') || ('family' in s && s.family === 6)).map((s) => s.kind),
    ['delete-suppress-rule', 'delete-lookup-rule', 'flush-table', 'delete-address6', 'delete-address6'],
  );
  const before = system.calls.length;
  await ok(helper, { verb: 'teardown' });
  const undo = system.calls.slice(before).filter((c) => c[1] === '-6' || c[2] === '-6');
  assert.deepEqual(undo, [
    ['ip', '-6', 'addr', 'del', GLOBAL, 'dev', 'causeway0'],
    ['ip', '-6', 'addr', 'del', LL, 'dev', 'causeway0'],
    ['ip', '-6', 'route', 'flush', 'table', TABLE],
    ['ip', '-6', 'rule', 'del', 'pref', '30063', 'lookup', TABLE],
    ['ip', '-j', '-6', 'rule', 'show', 'pref', '30063'],
    ['ip', '-6', 'rule', 'del', 'pref', '30062', 'lookup', 'main', 'suppress_prefixlength', '1'],
  ]);
  assert.equal(helper.journal.size, 0);
});

test("another VPN's IPv6 that still wins is found by the verification: set-ipv6 fails and our IPv6 routes go", async () => {
  let tunneled = false;
  const { system, helper } = await fullTunnel((p, args) => {
    const a = args.join(' ');
    if (a.startsWith('-6 route replace default dev')) tunneled = true;
    if (a === '-j route get fibmatch 4000::' && tunneled)
      return { stdout: JSON.stringify([{ dst: '::/0', dev: 'tun9', table: '200' }]) };
    return undefined;
  });
  const r = await call(helper, { verb: 'set-ipv6', name: 'causeway0', linkLocal: LL });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error.message, /traffic for ::\/1 would leave through tun9 \(route ::\/0, table 200\)/);
  assert.ok(
    system.calls.some((c) => c.join(' ') === 'ip -6 rule del pref 30063 lookup ' + TABLE),
    'our IPv6 rules are gone',
  );
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
