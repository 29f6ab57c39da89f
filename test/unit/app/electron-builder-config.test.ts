// electron-builder.yml checked offline with electron-builder's own loader and schema validation
// (what `electron-builder` runs before it downloads anything), plus the files it refers to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId?: string;
  linux?: { target?: string[]; icon?: string; category?: string; extraFiles?: { from: string }[] };
  deb?: { fpm?: string[]; depends?: string[] };
  mac?: unknown;
  win?: unknown;
}

test('electron-builder.yml passes electron-builder validation and names files that exist', async () => {
  const configModule = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(dir: string, path: string | null, fromOptions: null): Promise<BuilderConfig>;
    validateConfiguration(c: BuilderConfig, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await configModule.getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
  await configModule.validateConfiguration(config, new DebugLogger(false));

  assert.equal(config.appId, 'org.causeway.Causeway');
  assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
  assert.ok(config.mac && config.win, 'macOS and Windows are declared');
  for (const f of [config.linux?.icon, ...(config.linux?.extraFiles ?? []).map((x) => x.from)]) assert.ok(f && existsSync(join(ROOT, f)), `${f} exists`);
  const fpm = config.deb?.fpm ?? [];
  assert.ok(fpm.some((m) => m.endsWith('=/usr/share/polkit-1/actions/org.causeway.helper.policy')), 'the deb installs the polkit policy');
  assert.ok(fpm.some((m) => m.endsWith('=/usr/lib/causeway/causeway-helper')), 'the deb installs the helper launcher');
  for (const m of fpm) assert.ok(existsSync(join(ROOT, m.split('=')[0]!)), `${m} source exists`);
  for (const s of ['disconnected', 'connecting', 'connected', 'error']) assert.ok(existsSync(join(ROOT, 'resources/icons', `tray-${s}.png`)));
});

test('a bad option is refused by the same validation (so the test above can fail)', async () => {
  const configModule = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(c: object, logger: unknown): Promise<void> };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await assert.rejects(configModule.validateConfiguration({ linux: { target: ['AppImage'], notAnOption: true } }, new DebugLogger(false)), /does not match the API schema/);
});

test('the .desktop entry is complete', () => {
  const text = readFileSync(join(ROOT, 'resources/causeway.desktop'), 'utf8');
  for (const key of ['Type=Application', 'Name=Causeway', 'Exec=', 'Icon=causeway', 'Categories=Network;']) assert.ok(text.includes(key), key);
});
