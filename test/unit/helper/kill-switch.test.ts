// The helper's kill-switch verbs: the nft scripts it applies, what it journals, and what survives
// teardown (a closed stdin may be a crash: only kill-switch-disarm removes the table).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Helper } from '../../../main/helper/root/helper.js';
import type { NftRunner } from '../../../main/helper/root/kill-switch.js';
import type { Response } from '../../../main/helper/protocol.js';
import { fakeSystem, memoryStore } from './fake-system.js';

function fakeNft(tableExists = false) {
  const scripts: string[] = [];
  let exists = tableExists;
  let failNext: string | undefined;
  const nft: NftRunner = {
    apply(script) {
      scripts.push(script);
      if (failNext !== undefined) {
        const stderr = failNext;
        failNext = undefined;
        return Promise.resolve({ code: 1, stdout: '', stderr });
      }
      if (script.startsWith('delete table')) {
        if (!exists) return Promise.resolve({ code: 1, stdout: '', stderr: 'Error: No such file or directory' });
        exists = false;
      } else exists = true;
      return Promise.resolve({ code: 0, stdout: '', stderr: '' });
    },
    listTable: () =>
      Promise.resolve(
        exists
          ? { code: 0, stdout: '{}', stderr: '' }
          : { code: 1, stdout: '', stderr: 'Error: No such file or directory' },
      ),
  };
  return { nft, scripts, exists: () => exists, fail: (stderr: string) => (failNext = stderr) };
}

let nextId = 1;
async function call(helper: Helper, fields: Record<string, unknown>): Promise<Response> {
  return helper.handleLine(JSON.stringify({ id: nextId++, ...fields }));
}
async function ok(helper: Helper, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await call(helper, fields);
  assert.ok(r.ok, r.ok ? '' : `${String(fields.verb)}: ${r.error.code}: ${r.error.message}`);
  return r.result;
}

function setup(tableExists = false) {
  const system = fakeSystem();
  const store = memoryStore();
  const n = fakeNft(tableExists);
  const helper = new Helper({ system, store, log: () => {}, nft: n.nft });
  return { system, store, helper, ...n };
}

const arm = { verb: 'kill-switch-arm', endpoints: [{ address: '203.0.113.5', port: 443 }] };

test('kill-switch-arm before the TUN exists, then create-tun lets the new interface through', async () => {
  const { helper, scripts, store } = setup();
  assert.deepEqual(await ok(helper, arm), { tunnel: null });
  assert.equal(scripts.length, 1);
  assert.ok(scripts[0]?.includes('ip daddr 203.0.113.5 tcp dport 443 accept'));
  assert.ok(!scripts[0]?.includes('causeway0'));
  // Journaled before nft ran.
  assert.deepEqual(store.saved[0], [{ kind: 'delete-kill-switch', group: 'kill-switch' }]);
  await ok(helper, { verb: 'create-tun', uid: 1000 });
  assert.equal(scripts.length, 2);
  assert.ok(scripts[1]?.includes('oifname "causeway0" accept'));
  assert.ok(scripts[1]?.includes('ip daddr 203.0.113.5 tcp dport 443 accept'));
  assert.deepEqual((await ok(helper, { verb: 'hello' })).killSwitch, 'armed');
});

test('arming again replaces the table (new endpoints, IPv6, LAN) and keeps one journal step', async () => {
  const { helper, scripts, store } = setup();
  await ok(helper, { verb: 'create-tun', uid: 1000 });
  await ok(helper, arm);
  const r = await ok(helper, {
    verb: 'kill-switch-arm',
    endpoints: [
      { address: '2001:DB8:0:0::5', port: 8443 },
      { address: '198.51.100.9', port: 443 },
    ],
    allowLan: true,
  });
  assert.deepEqual(r, { tunnel: 'causeway0' });
  const last = scripts.at(-1) ?? '';
  assert.ok(last.includes('ip6 daddr 2001:db8::5 tcp dport 8443 accept'), 'canonical IPv6 text');
  assert.ok(last.includes('ip daddr 198.51.100.9 tcp dport 443 accept'));
  assert.ok(!last.includes('203.0.113.5'));
  assert.ok(last.includes('192.168.0.0/16'));
  assert.equal(store.saved.at(-1)?.filter((s) => s.kind === 'delete-kill-switch').length, 1);
});

test('teardown (and so every exit path) undoes the tunnel but keeps the kill switch journaled', async () => {
  const { helper, system, store, exists } = setup();
  await ok(helper, arm);
  await ok(helper, { verb: 'create-tun', uid: 1000 });
  const before = store.removed;
  const r = await ok(helper, { verb: 'teardown' });
  assert.deepEqual(r, { undone: 1, failed: 0 });
  assert.ok(exists(), 'the table is still there');
  assert.ok(!system.calls.some((c) => c[0] === 'nft'));
  assert.deepEqual(helper.journal.size, 1);
  assert.equal(store.removed, before, 'the state file stays for crash recovery');
  assert.deepEqual(store.saved.at(-1), [{ kind: 'delete-kill-switch', group: 'kill-switch' }]);
});

test('kill-switch-disarm removes the table and the journal step; twice is harmless', async () => {
  const { helper, scripts, exists, store } = setup();
  await ok(helper, arm);
  assert.deepEqual(await ok(helper, { verb: 'kill-switch-disarm' }), { removed: true });
  assert.equal(scripts.at(-1), 'delete table inet causeway\n');
  assert.equal(exists(), false);
  assert.equal(helper.journal.size, 0);
  assert.deepEqual(store.saved.at(-1), []);
  assert.deepEqual(await ok(helper, { verb: 'kill-switch-disarm' }), { removed: false });
  assert.deepEqual((await ok(helper, { verb: 'hello' })).killSwitch, 'off');
});

test('a table found at start is adopted: journaled, blocking, and removed by disarm', async () => {
  const { helper, store, exists } = setup(true);
  assert.equal(await helper.adoptKillSwitch(), true);
  assert.deepEqual(store.saved.at(-1), [{ kind: 'delete-kill-switch', group: 'kill-switch' }]);
  assert.deepEqual((await ok(helper, { verb: 'hello' })).killSwitch, 'adopted');
  await ok(helper, { verb: 'teardown' });
  assert.ok(exists());
  await ok(helper, { verb: 'kill-switch-disarm' });
  assert.equal(exists(), false);
  const none = setup(false);
  assert.equal(await none.helper.adoptKillSwitch(), false);
  assert.equal(none.helper.journal.size, 0);
});

test('a failed first arm changes nothing and leaves no journal step', async () => {
  const { helper, fail, store } = setup();
  fail('Error: Could not process rule: Operation not supported');
  const r = await call(helper, arm);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'failed');
    assert.match(r.error.message, /nft: Error: Could not process rule/);
  }
  assert.equal(helper.journal.size, 0);
  assert.deepEqual(store.saved.at(-1), []);
});

test('kill-switch-arm validates its fields; without nft the verbs are refused', async () => {
  const { helper, scripts } = setup();
  for (const bad of [
    { verb: 'kill-switch-arm', endpoints: [] },
    { verb: 'kill-switch-arm', endpoints: [{ address: 'example.com', port: 443 }] },
    { verb: 'kill-switch-arm', endpoints: [{ address: '203.0.113.5', port: 0 }] },
    { verb: 'kill-switch-arm', endpoints: [{ address: '203.0.113.5; flush ruleset', port: 443 }] },
    { ...arm, tunnel: 'eth0' },
  ]) {
    const r = await call(helper, bad);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'invalid', JSON.stringify(bad));
  }
  assert.equal(scripts.length, 0);
  const bare = new Helper({ system: fakeSystem(), store: memoryStore(), log: () => {} });
  const r = await call(bare, arm);
  assert.ok(!r.ok && r.error.code === 'refused');
});

test('without nft installed there is no table to remove: disarm answers removed false', async () => {
  const nft: NftRunner = {
    apply: () => Promise.resolve({ code: 127, stdout: '', stderr: 'nft is not installed (Debian/Ubuntu: nftables)' }),
    listTable: () => Promise.resolve({ code: 127, stdout: '', stderr: 'nft is not installed' }),
  };
  const helper = new Helper({ system: fakeSystem(), store: memoryStore(), log: () => {}, nft });
  assert.equal(await helper.adoptKillSwitch(), false);
  assert.deepEqual(await ok(helper, { verb: 'kill-switch-disarm' }), { removed: false });
  const r = await call(helper, arm);
  assert.ok(!r.ok && r.error.code === 'failed' && /nft is not installed/.test(r.error.message));
});
