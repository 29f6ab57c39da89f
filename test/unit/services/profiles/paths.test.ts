import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePaths } from '../../../../main/services/paths.js';

test('Linux follows XDG, ignoring relative values', () => {
  const p = resolvePaths({
    platform: 'linux',
    home: '/home/u',
    env: { XDG_CONFIG_HOME: '/cfg', XDG_STATE_HOME: '/state' },
  });
  assert.deepEqual(p, {
    configDir: '/cfg/causeway',
    profilesFile: '/cfg/causeway/profiles.json',
    caDir: '/cfg/causeway/ca',
    logsDir: '/state/causeway/logs',
  });
  const d = resolvePaths({ platform: 'linux', home: '/home/u', env: { XDG_CONFIG_HOME: 'relative' } });
  assert.equal(d.configDir, '/home/u/.config/causeway');
  assert.equal(d.logsDir, '/home/u/.local/state/causeway/logs');
});

test('the app passes its own directories', () => {
  const p = resolvePaths({ configDir: '/userData', stateDir: '/userData', platform: 'linux', env: {} });
  assert.equal(p.profilesFile, '/userData/profiles.json');
  assert.equal(p.logsDir, '/userData/logs');
});

test('macOS defaults', () => {
  const p = resolvePaths({ platform: 'darwin', home: '/Users/u', env: {} });
  assert.equal(p.configDir, '/Users/u/Library/Application Support/Causeway');
  assert.equal(p.logsDir, '/Users/u/Library/Logs/Causeway/logs');
});
