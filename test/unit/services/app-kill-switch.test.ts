// One app connection's kill switch: what it asks the helper at start and at the end, per mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HelperError } from '../../../main/helper/client/client.js';
import { appKillSwitch } from '../../../main/services/kill-switch/app-kill-switch.js';

function fakeHelper(fail = false, disarmFails = false) {
  const calls: unknown[] = [];
  return {
    calls,
    killSwitchArm(args: { endpoints: { address: string; port: number }[]; allowLan?: boolean }) {
      calls.push(['arm', args]);
      return fail
        ? Promise.reject(new HelperError('failed', 'nft: Error: no nftables'))
        : Promise.resolve({ tunnel: null });
    },
    killSwitchDisarm() {
      calls.push(['disarm']);
      if (disarmFails) return Promise.reject(new HelperError('unknown-verb', 'unknown verb "kill-switch-disarm"'));
      return Promise.resolve({ removed: true });
    },
  };
}

const target = [
  { address: '2001:db8::5', port: 443 },
  { address: '203.0.113.5', port: 443 },
];

test('app kill switch: on arms every address at start and lifts at the end; always keeps it; off lifts leftovers', async () => {
  const on = fakeHelper();
  const ks = appKillSwitch(on, { mode: 'on', allowLan: true }, target);
  assert.deepEqual(await ks.start(), { ok: true });
  assert.equal(await ks.end(), undefined);
  assert.deepEqual(on.calls, [
    [
      'arm',
      {
        endpoints: [
          { address: '2001:db8::5', port: 443 },
          { address: '203.0.113.5', port: 443 },
        ],
        allowLan: true,
      },
    ],
    ['disarm'],
  ]);
  const always = fakeHelper();
  const kept = appKillSwitch(always, { mode: 'always' }, target);
  await kept.start();
  await kept.end();
  assert.deepEqual(
    always.calls.map((c) => (c as string[])[0]),
    ['arm'],
  );
  const off = fakeHelper();
  const none = appKillSwitch(off, { mode: 'off' }, target);
  await none.start();
  await none.end();
  assert.deepEqual(off.calls, [['disarm']]);
});

test('app kill switch: a switch that cannot be set up fails the connection with what to do', async () => {
  const r = await appKillSwitch(fakeHelper(true), { mode: 'on' }, target).start();
  assert.equal(r.ok, false);
  if (!r.ok)
    assert.match(
      r.message,
      /could not be set up \(nft: Error: no nftables\), so nothing was connected\. Install nftables/,
    );
});

test('app kill switch off: a helper that cannot lift anything (older, no nftables) never stops the connection', async () => {
  assert.deepEqual(await appKillSwitch(fakeHelper(false, true), { mode: 'off' }, target).start(), { ok: true });
});
