// Preferences → kill switch channels: read (off by default, warning for a damaged file), save, refuse.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { requests } from '../../../main/contract/channels.js';
import { killSwitchHandlers } from '../../../main/services/kill-switch/kill-switch-handlers.js';

test('settings.killSwitch / settings.setKillSwitch round trip through kill-switch.json', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cw-ksh-')), 'kill-switch.json');
  const h = killSwitchHandlers(file);
  assert.deepEqual(await h['settings.killSwitch'](undefined), { ok: true, setting: { mode: 'off' }, warning: null });
  const saved = await h['settings.setKillSwitch']({ setting: { mode: 'always', allowLan: true } });
  assert.deepEqual(saved, { ok: true, setting: { mode: 'always', allowLan: true }, warning: null });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
    version: 1,
    killSwitch: { mode: 'always', allowLan: true },
  });
  assert.deepEqual(await h['settings.killSwitch'](undefined), {
    ok: true,
    setting: { mode: 'always', allowLan: true },
    warning: null,
  });
  writeFileSync(file, 'garbage');
  const damaged = await h['settings.killSwitch'](undefined);
  assert.ok(damaged.ok);
  if (damaged.ok) {
    assert.deepEqual(damaged.setting, { mode: 'off' });
    assert.match(damaged.warning ?? '', /not valid JSON; the kill switch is off until it is saved again/);
  }
  const none = killSwitchHandlers(undefined);
  assert.equal((await none['settings.killSwitch'](undefined)).ok, false);
});

test('the channel refuses a mode it does not know before any handler runs', () => {
  const schema = requests['settings.setKillSwitch'].payload;
  assert.equal(schema.safeParse({ setting: { mode: 'on' } }).success, true);
  assert.equal(schema.safeParse({ setting: { mode: 'sometimes' } }).success, false);
  assert.equal(schema.safeParse({ setting: { mode: 'on', allowLan: 'yes' } }).success, false);
});
