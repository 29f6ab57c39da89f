// Hostile requests: each is refused with a reason and nothing is executed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Helper } from '../../../main/helper/root/helper.js';
import { fakeSystem, memoryStore } from './fake-system.js';

const INJECTIONS = [
  'eth0;rm -rf /',
  '$(reboot)',
  '`id`',
  'a b',
  'a\nb',
  '../x',
  '-x',
  '--help',
  'x'.repeat(16),
  '',
  'tun0\u0000',
  'tün0',
  'a/b',
  '.',
  '..',
  ' tun0',
  'tun0 ',
];

function freshHelper() {
  const system = fakeSystem();
  const store = memoryStore();
  const helper = new Helper({ system, store, log: () => {} });
  return { system, store, helper };
}

const base = {
  'create-tun': { verb: 'create-tun', uid: 1000 },
  'open-tun': { verb: 'open-tun', name: 'causeway0' },
  configure: { verb: 'configure', name: 'causeway0', address: '10.0.0.2', peer: '10.0.0.1', mtu: 1400 },
  'set-routes': {
    verb: 'set-routes',
    name: 'causeway0',
    mode: 'split',
    routes: ['10.1.0.0/16'],
    serverAddress: '198.51.100.7',
  },
  'set-dns': { verb: 'set-dns', name: 'causeway0', servers: ['10.0.0.53'] },
};

type Case = { readonly why: string; readonly line: string; readonly code: string; readonly reason?: RegExp };
const cases: Case[] = [];
const req = (why: string, obj: unknown, code = 'invalid', reason?: RegExp) =>
  cases.push({ why, line: JSON.stringify(obj), code, ...(reason ? { reason } : {}) });

// Envelope
cases.push({ why: 'not JSON', line: 'hello', code: 'bad-request', reason: /not JSON/ });
cases.push({ why: 'truncated JSON', line: '{"id":1,"verb":"hello"', code: 'bad-request' });
cases.push({
  why: 'a 1 MB line',
  line: JSON.stringify({ id: 1, verb: 'hello', pad: 'x'.repeat(1024 * 1024) }),
  code: 'too-large',
});
req('array', [{ id: 1, verb: 'hello' }], 'bad-request');
req('null', null, 'bad-request');
req('string', 'hello', 'bad-request');
req('unknown verb', { id: 1, verb: 'exec', cmd: 'sh' }, 'unknown-verb', /unknown verb/);
req('verb with other case', { id: 1, verb: 'HELLO' }, 'unknown-verb');
req('verb missing', { id: 1 }, 'unknown-verb');
req('verb not a string', { id: 1, verb: ['hello'] }, 'unknown-verb');
req('__proto__ verb', { id: 1, verb: '__proto__' }, 'unknown-verb');
req('unknown field', { id: 1, verb: 'hello', extra: 1 }, 'invalid', /unknown field "extra"/);
req('id missing', { verb: 'hello' });
req('id negative', { id: -1, verb: 'hello' });
req('id fractional', { id: 1.5, verb: 'hello' });
req('id string', { id: '1', verb: 'hello' });
cases.push({ why: '__proto__ field', line: '{"id":1,"verb":"hello","__proto__":{"x":1}}', code: 'invalid' });

for (const [verb, good] of Object.entries(base)) {
  req(`${verb}: unknown field`, { id: 2, ...good, shell: true }, 'invalid', /unknown field/);
  for (const [field, value] of Object.entries(good)) {
    if (field === 'verb') continue;
    req(`${verb}: ${field} missing`, { id: 2, ...good, [field]: undefined });
    for (const bad of INJECTIONS)
      req(`${verb}: ${field} = ${JSON.stringify(bad)}`, {
        id: 2,
        ...good,
        [field]: Array.isArray(value) ? [bad] : bad,
      });
    req(`${verb}: ${field} = object`, { id: 2, ...good, [field]: { toString: 'x' } });
    req(`${verb}: ${field} = null`, { id: 2, ...good, [field]: null });
  }
}
// Names
for (const name of INJECTIONS)
  req(`create-tun name ${JSON.stringify(name)}`, { id: 3, verb: 'create-tun', uid: 1000, name });
// Numbers
for (const name of INJECTIONS) req(`open-tun name ${JSON.stringify(name)}`, { id: 3, verb: 'open-tun', name });
for (const offload of ['yes', 1, null])
  req(`open-tun offload ${JSON.stringify(offload)}`, { id: 3, verb: 'open-tun', name: 'causeway0', offload });
for (const uid of [-1, 1.5, 2 ** 32, 0x7fffffff, '1000', Number.NaN, Infinity])
  req(`uid ${String(uid)}`, { id: 4, verb: 'create-tun', uid });
for (const mtu of [575, 9001, 0, -1500, 1400.5, '1400']) req(`mtu ${String(mtu)}`, { id: 5, ...base.configure, mtu });
// Addresses
for (const address of ['1.2.3', '10.0.0.0/33', '10.0.0.2/24', '::1', '010.0.0.2', '10.0.0.2 ', '999.1.1.1'])
  req(`address ${address}`, { id: 6, ...base.configure, address });
for (const peer of ['::g', '10.0.0.1/32', 'localhost']) req(`peer ${peer}`, { id: 6, ...base.configure, peer });
for (const v6 of ['fe80::1', 'fe80::1/48', 'fe80::1/129', '10.0.0.1/64', '::g/64', 'fe80::1%eth0/64'])
  req(`ipv6 ${v6}`, { id: 6, ...base.configure, ipv6: { address: v6 } });
req('ipv6 unknown field', { id: 6, ...base.configure, ipv6: { address: 'fe80::1/64', up: 'sh' } });
// Routes
for (const route of ['10.0.0.0/33', '1.2.3', '::g', '10.0.0.1/8', 'default', '0/0', '10.0.0.0/8 dev eth0', ''])
  req(`route ${route}`, { id: 7, ...base['set-routes'], routes: [route] });
req(
  '65 routes',
  { id: 7, ...base['set-routes'], routes: Array.from({ length: 65 }, (_, i) => `10.${i}.0.0/16`) },
  'invalid',
  /at most 64/,
);
req('routes not an array', { id: 7, ...base['set-routes'], routes: '10.0.0.0/8' });
req('mode', { id: 7, ...base['set-routes'], mode: 'all' });
req('server is a CIDR', { id: 7, ...base['set-routes'], serverAddress: '198.51.100.0/24' });
// DNS
req(
  '5 DNS servers',
  { id: 8, ...base['set-dns'], servers: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4', '9.9.9.9'] },
  'invalid',
  /at most 4/,
);
req('no DNS servers', { id: 8, ...base['set-dns'], servers: [] });
for (const d of ['a;b', 'x\nnameserver 6.6.6.6', '-x', 'a..b', `${'a'.repeat(64)}.example`])
  req(`search ${JSON.stringify(d)}`, { id: 8, ...base['set-dns'], searchDomains: [d] });
req('9 search domains', {
  id: 8,
  ...base['set-dns'],
  searchDomains: Array.from({ length: 9 }, (_, i) => `d${i}.example`),
});
req('defaultRoute not boolean', { id: 8, ...base['set-dns'], defaultRoute: 'yes' });
// Teardown takes nothing
req('teardown with a field', { id: 9, verb: 'teardown', name: 'eth0' });

test(`${cases.length} hostile requests are refused with a reason and run nothing`, async (t) => {
  for (const c of cases) {
    await t.test(c.why, async () => {
      const { system, store, helper } = freshHelper();
      const r = await helper.handleLine(c.line);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, c.code, `${c.why}: ${r.error.message}`);
      assert.ok(r.error.message.length > 0);
      if (c.reason) assert.match(r.error.message, c.reason);
      assert.deepEqual(system.calls, [], 'nothing executed');
      assert.deepEqual(system.resolvConfWrites, []);
      assert.deepEqual(store.saved, []);
    });
  }
});

test('the request id is echoed when it is valid, null otherwise', async () => {
  const { helper } = freshHelper();
  assert.equal((await helper.handleLine('{"id":42,"verb":"nope"}')).id, 42);
  assert.equal((await helper.handleLine('{"id":"42","verb":"hello"}')).id, null);
  assert.equal((await helper.handleLine('nope')).id, null);
});

test('error messages name the field but do not echo hostile values', async () => {
  const { helper } = freshHelper();
  const r = await helper.handleLine(JSON.stringify({ id: 1, ...base.configure, name: 'eth0;rm -rf /' }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.error.message, /^name: /);
    assert.doesNotMatch(r.error.message, /rm -rf/);
  }
});

test('verbs on an interface this helper did not create are refused, nothing runs', async () => {
  for (const [verb, good] of Object.entries(base)) {
    if (verb === 'create-tun') continue;
    const { system, helper } = freshHelper();
    const before = await helper.handleLine(JSON.stringify({ id: 1, ...good }));
    assert.equal(before.ok, false);
    if (!before.ok) assert.equal(before.error.code, 'refused', verb);
    await helper.handleLine(JSON.stringify({ id: 2, verb: 'create-tun', uid: 1000 }));
    const calls = system.calls.length;
    const other = await helper.handleLine(JSON.stringify({ id: 3, ...good, name: 'eth0' }));
    assert.equal(other.ok, false);
    if (!other.ok) assert.match(other.error.message, /eth0 was not created by this helper/);
    assert.equal(system.calls.length, calls, `${verb} on eth0 ran nothing`);
  }
});

test('under pkexec, create-tun only serves the calling uid', async () => {
  const system = fakeSystem();
  const helper = new Helper({ system, store: memoryStore(), log: () => {}, callerUid: 1000 });
  const r = await helper.handleLine(JSON.stringify({ id: 1, verb: 'create-tun', uid: 0 }));
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'refused');
  assert.deepEqual(system.calls, []);
});
