// Which kill switch a `causeway connect` uses (flag > profile > Preferences file), what it lets
// through, how its events read, and the app-wide setting file's round trip and damage handling.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProfileDraftSchema } from '../../../main/contract/profile.js';
import {
  chooseKillSwitch,
  describeKillSwitch,
  killSwitchEndpoints,
  markBlocked,
} from '../../../main/cli/kill-switch-option.js';
import {
  killSwitchFile,
  loadKillSwitchSetting,
  saveKillSwitchSetting,
  type KillSwitchLoad,
} from '../../../main/services/kill-switch/kill-switch-setting.js';

const offFile: KillSwitchLoad = { ok: true, setting: { mode: 'off' } };
const alwaysFile: KillSwitchLoad = { ok: true, setting: { mode: 'always', allowLan: true } };
const damaged: KillSwitchLoad = { ok: false, setting: { mode: 'off' }, problem: 'x is not valid JSON; off' };

test('kill switch choice: flag > profile > Preferences > off', () => {
  const cases: [Parameters<typeof chooseKillSwitch>, ReturnType<typeof chooseKillSwitch>][] = [
    [[{}, undefined, offFile], { ok: true, setting: { mode: 'off' } }],
    [[{}, undefined, alwaysFile], { ok: true, setting: { mode: 'always', allowLan: true } }],
    [[{}, { mode: 'on' }, alwaysFile], { ok: true, setting: { mode: 'on' } }],
    [[{ killSwitch: 'off' }, { mode: 'on', allowLan: true }, alwaysFile], { ok: true, setting: { mode: 'off' } }],
    [[{ killSwitch: 'always' }, undefined, offFile], { ok: true, setting: { mode: 'always' } }],
    [
      [{ killSwitch: 'on', killSwitchLan: true }, undefined, offFile],
      { ok: true, setting: { mode: 'on', allowLan: true } },
    ],
    [[{ killSwitchLan: true }, { mode: 'on' }, offFile], { ok: true, setting: { mode: 'on', allowLan: true } }],
    [[{ killSwitch: 'yes' }, undefined, offFile], { ok: false, error: '--kill-switch must be on, always or off' }],
    [
      [{ killSwitchLan: true }, undefined, offFile],
      { ok: false, error: '--kill-switch-lan needs the kill switch on (--kill-switch on|always)' },
    ],
    // A damaged file warns only when it is what decided.
    [[{}, undefined, damaged], { ok: true, setting: { mode: 'off' }, warning: damaged.ok ? '' : damaged.problem }],
    [[{ killSwitch: 'on' }, undefined, damaged], { ok: true, setting: { mode: 'on' } }],
  ];
  for (const [args, expected] of cases) assert.deepEqual(chooseKillSwitch(...args), expected, JSON.stringify(args));
});

test('kill switch endpoints: every address of every server with its port, deduplicated, bounded', () => {
  assert.deepEqual(
    killSwitchEndpoints(
      ['2001:db8::5', '203.0.113.5'],
      [
        { host: 'vpn.example', port: 443, addresses: ['2001:db8::5', '203.0.113.5'] },
        { host: 'backup.example', port: 8443, addresses: ['198.51.100.9'] },
      ],
      443,
    ),
    [
      { address: '2001:db8::5', port: 443 },
      { address: '203.0.113.5', port: 443 },
      { address: '198.51.100.9', port: 8443 },
    ],
  );
  // Behind a proxy the servers carry no addresses: only the proxy's, with its port.
  assert.deepEqual(killSwitchEndpoints(['192.0.2.80'], [{ host: 'vpn.example', port: 443 }], 3128), [
    { address: '192.0.2.80', port: 3128 },
  ]);
  const many = Array.from({ length: 40 }, (_, i) => `10.0.0.${i}`);
  assert.equal(killSwitchEndpoints(many, [], 443).length, 32);
});

test('kill switch events: blocked while not connected, human text', () => {
  assert.deepEqual(markBlocked({ event: 'connecting', attempt: 1 }, true), {
    event: 'connecting',
    attempt: 1,
    trafficBlocked: true,
  });
  assert.deepEqual(markBlocked({ event: 'reconnecting' }, true), { event: 'reconnecting', trafficBlocked: true });
  assert.deepEqual(markBlocked({ event: 'connected' }, true), { event: 'connected' });
  assert.deepEqual(markBlocked({ event: 'connecting' }, false), { event: 'connecting' });
  assert.match(
    describeKillSwitch({ event: 'kill-switch', state: 'armed', mode: 'on' }) ?? '',
    /blocked until you disconnect/,
  );
  assert.match(describeKillSwitch({ event: 'kill-switch', state: 'kept', mode: 'always' }) ?? '', /causeway unblock/);
  assert.equal(describeKillSwitch({ event: 'connected' }), undefined);
});

test('Preferences kill-switch.json: round trip; missing is off; damage is off with a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-ks-'));
  const file = killSwitchFile(dir);
  assert.deepEqual(loadKillSwitchSetting(file), { ok: true, setting: { mode: 'off' } });
  assert.deepEqual(await saveKillSwitchSetting(file, { mode: 'always', allowLan: true }), { ok: true });
  assert.deepEqual(loadKillSwitchSetting(file), { ok: true, setting: { mode: 'always', allowLan: true } });
  for (const bad of [
    '{',
    '{"version":1,"killSwitch":{"mode":"sometimes"}}',
    '{"version":2,"killSwitch":{"mode":"on"}}',
  ]) {
    writeFileSync(file, bad);
    const r = loadKillSwitchSetting(file);
    assert.equal(r.ok, false, bad);
    assert.deepEqual(r.setting, { mode: 'off' });
    if (!r.ok) assert.match(r.problem, /the kill switch is off until it is saved again/);
  }
  // @ts-expect-error: not a mode
  assert.equal((await saveKillSwitchSetting(file, { mode: 'sometimes' })).ok, false);
});

test('profile field killSwitch: optional, strict', () => {
  const base = { name: 'w', server: { host: 'vpn.example' }, username: 'u' };
  const ok = ProfileDraftSchema.safeParse({ ...base, killSwitch: { mode: 'on', allowLan: true } });
  assert.ok(ok.success, ok.success ? '' : ok.error.message);
  assert.deepEqual(ok.data?.killSwitch, { mode: 'on', allowLan: true });
  assert.equal(ProfileDraftSchema.safeParse(base).data?.killSwitch, undefined);
  assert.equal(ProfileDraftSchema.safeParse({ ...base, killSwitch: { mode: 'maybe' } }).success, false);
  assert.equal(ProfileDraftSchema.safeParse({ ...base, killSwitch: { mode: 'on', extra: 1 } }).success, false);
});
