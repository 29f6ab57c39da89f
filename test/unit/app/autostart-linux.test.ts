// Start at login on Linux is an XDG autostart entry (Electron's login items do nothing there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  autostartEntry,
  defaultAutostartOptions,
  linuxAutostart,
  quoteExecArg,
} from '../../../main/app/autostart-linux.js';

test('the entry is written, read back, switched off by Hidden=true, and removed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-autostart-'));
  try {
    const a = linuxAutostart({ configHome: dir, exec: '/opt/Causeway/causeway' });
    const file = join(dir, 'autostart', 'causeway.desktop');
    assert.equal(await a.get(), false);
    await a.set(true);
    assert.equal(await a.get(), true);
    const text = await readFile(file, 'utf8');
    assert.match(text, /^Exec=\/opt\/Causeway\/causeway --hidden$/m, 'starts in the tray');
    assert.match(text, /^Type=Application$/m);
    assert.equal((await stat(file)).mode & 0o777, 0o644);
    await writeFile(file, text.replace('X-GNOME-Autostart-enabled=true', 'Hidden=true'));
    assert.equal(await a.get(), false, 'another tool switched it off');
    await a.set(false);
    await a.set(false); // already gone: not an error
    await assert.rejects(stat(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Exec quoting follows the Desktop Entry spec; an AppImage starts itself', () => {
  assert.equal(quoteExecArg('/opt/Causeway/causeway'), '/opt/Causeway/causeway');
  assert.equal(quoteExecArg('/home/a b/Causeway.AppImage'), '"/home/a b/Causeway.AppImage"');
  assert.equal(quoteExecArg('/x/$HOME`"\\%'), '"/x/\\$HOME\\`\\"\\\\%%"');
  assert.match(autostartEntry('/home/a b/C.AppImage'), /^Exec="\/home\/a b\/C\.AppImage" --hidden$/m);
  assert.equal(
    defaultAutostartOptions({ APPIMAGE: '/apps/C.AppImage', XDG_CONFIG_HOME: '/cfg' }, '/tmp/.mount/causeway').exec,
    '/apps/C.AppImage',
  );
  assert.equal(defaultAutostartOptions({ XDG_CONFIG_HOME: '/cfg' }, '/opt/Causeway/causeway').configHome, '/cfg');
  assert.notEqual(
    defaultAutostartOptions({ XDG_CONFIG_HOME: 'relative' }).configHome,
    'relative',
    'relative XDG values are ignored',
  );
});
