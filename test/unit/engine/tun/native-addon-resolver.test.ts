// The addon resolver: one fixed path per layout (never a search upward, so a planted copy is not
// picked), and a refusal, as a value, of a file someone other than root or the user could have written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ADDON_FILE,
  PACKAGED_MARKER,
  addonLayout,
  addonPathFor,
  checkTrustedFile,
  describeTrustFailure,
  findTunAddon,
  tunAddon,
  type LayoutFacts,
} from '../../../../main/engine/tun/native-addon.js';

const checkout = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const isRoot = process.getuid?.() === 0;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-addon-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function touch(path: string, mode = 0o644): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, 'x');
  chmodSync(path, mode);
  return path;
}

const facts = (over: Partial<LayoutFacts>): LayoutFacts => ({
  moduleFile: '/src/main/engine/tun/native-addon.ts',
  bundled: false,
  exists: () => false,
  ...over,
});

test('layout: the marker in resourcesPath makes it the installed app; Electron in development has resourcesPath without it', () => {
  const res = '/opt/Causeway/resources';
  assert.deepEqual(addonLayout(facts({ resourcesPath: res, exists: (p) => p === join(res, PACKAGED_MARKER) })), {
    kind: 'packaged',
    resourcesPath: res,
  });
  assert.equal(addonLayout(facts({ resourcesPath: '/x/node_modules/electron/dist/resources' })).kind, 'build-tree');
  assert.deepEqual(
    addonLayout(facts({ bundled: true, moduleFile: '/opt/Causeway/resources/helper/causeway-helper.cjs' })),
    {
      kind: 'bundle',
      bundleFile: '/opt/Causeway/resources/helper/causeway-helper.cjs',
    },
  );
});

test('one path per layout', () => {
  assert.equal(
    addonPathFor({ kind: 'packaged', resourcesPath: '/opt/Causeway/resources' }),
    `/opt/Causeway/resources/native/${ADDON_FILE}`,
  );
  assert.equal(
    addonPathFor({ kind: 'bundle', bundleFile: '/opt/Causeway/resources/helper/causeway-helper.cjs' }),
    `/opt/Causeway/resources/native/${ADDON_FILE}`,
  );
  assert.equal(
    addonPathFor({ kind: 'bundle', bundleFile: '/w/dist/cli/causeway-cli.cjs' }),
    `/w/dist/native/${ADDON_FILE}`,
  );
  assert.equal(
    addonPathFor({ kind: 'build-tree', moduleFile: '/w/main/engine/tun/native-addon.ts' }),
    `/w/native/tun/build/Release/${ADDON_FILE}`,
  );
  assert.equal(
    addonPathFor({ kind: 'build-tree', moduleFile: '/w/dist/main/engine/tun/native-addon.js' }),
    `/w/native/tun/build/Release/${ADDON_FILE}`,
  );
});

test('this checkout resolves to its own build tree', () => {
  const expected = join(checkout, 'native', 'tun', 'build', 'Release', ADDON_FILE);
  const found = findTunAddon();
  // Without a native build there is nothing to find, and nothing else may be found instead.
  assert.ok(found === undefined || found === expected, `found ${found}`);
});

test('a copy planted where the old upward search looked is never the one resolved', (t) => {
  // An AppImage is mounted under /tmp/.mount_*; /tmp/native/… is anyone's to create.
  const tmp = tempDir(t);
  const planted = touch(join(tmp, 'native', 'tun', 'build', 'Release', ADDON_FILE));
  const mounted = join(
    tmp,
    '.mount_Causeway',
    'resources',
    'app.asar.unpacked',
    'dist',
    'main',
    'engine',
    'tun',
    'native-addon.js',
  );
  touch(mounted);
  const layouts = [
    addonLayout(facts({ moduleFile: mounted })),
    addonLayout(
      facts({ moduleFile: join(tmp, '.mount_Causeway', 'resources', 'helper', 'causeway-helper.cjs'), bundled: true }),
    ),
  ];
  for (const layout of layouts) assert.notEqual(addonPathFor(layout), planted);
  // The build-tree path of that module climbs four levels: inside the mount, not into tmp/.
  assert.ok(addonPathFor(layouts[0]!).startsWith(join(tmp, '.mount_Causeway', 'resources')));
});

test('trusted: a file of ours in a private temp dir (its sticky, world-writable /tmp is let through)', (t) => {
  const file = touch(join(tempDir(t), 'a', ADDON_FILE), 0o755);
  assert.deepEqual(checkTrustedFile(file, { uid: process.getuid?.() ?? 0 }), { ok: true });
});

test('refused: group- or world-writable file', (t) => {
  const dir = tempDir(t);
  for (const mode of [0o664, 0o646, 0o777]) {
    const file = touch(join(dir, `m${mode.toString(8)}`, ADDON_FILE), mode);
    const r = checkTrustedFile(file, { uid: process.getuid?.() ?? 0 });
    assert.deepEqual(r, { ok: false, failure: { reason: 'writable', path: file, mode } });
  }
});

test('refused: a writable directory on the way up, unless it is sticky', (t) => {
  const dir = tempDir(t);
  const open = join(dir, 'open');
  const file = touch(join(open, 'sub', ADDON_FILE));
  chmodSync(open, 0o777);
  const r = checkTrustedFile(file, { uid: process.getuid?.() ?? 0 });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.deepEqual(r.failure, { reason: 'writable', path: open, mode: 0o777 });
    assert.match(describeTrustFailure(r.failure), /writable by its group or others \(mode 777\)/);
  }
  chmodSync(open, 0o1777);
  assert.deepEqual(checkTrustedFile(file, { uid: process.getuid?.() ?? 0 }), { ok: true });
});

test('refused: a symlink (its target can be changed by whoever owns the link)', (t) => {
  const dir = tempDir(t);
  const real = touch(join(dir, 'real.node'));
  const link = join(dir, ADDON_FILE);
  symlinkSync(real, link);
  const r = checkTrustedFile(link, { uid: process.getuid?.() ?? 0 });
  assert.deepEqual(r, { ok: false, failure: { reason: 'not-a-file', path: link } });
});

test(
  'refused: owned by another user; accepted when that user is the one running',
  { skip: !isRoot && 'needs root to chown' },
  (t) => {
    const dir = tempDir(t);
    const file = touch(join(dir, 'x', ADDON_FILE));
    chownSync(file, 12345, 12345);
    assert.deepEqual(checkTrustedFile(file, { uid: 0 }), {
      ok: false,
      failure: { reason: 'owner', path: file, uid: 12345 },
    });
    assert.deepEqual(checkTrustedFile(file, { uid: 12345 }), { ok: true });
    // A directory owned by someone else could have its entries swapped: the file's owner is not enough.
    chownSync(file, 0, 0);
    chownSync(join(dir, 'x'), 12345, 12345);
    assert.deepEqual(checkTrustedFile(file, { uid: 0 }), {
      ok: false,
      failure: { reason: 'owner', path: join(dir, 'x'), uid: 12345 },
    });
  },
);

test('tunAddon: a missing file is ENOADDON, a writable one EUNTRUSTED and never loaded', (t) => {
  const dir = tempDir(t);
  const missing = tunAddon(join(dir, 'nope', ADDON_FILE));
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.equal(missing.code, 'ENOADDON');
  // Not a loadable library at all: had the resolver tried to load it, the code would be ENOADDON.
  const writable = touch(join(dir, 'w', ADDON_FILE), 0o666);
  const r = tunAddon(writable);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.code, 'EUNTRUSTED');
    assert.match(r.message, /refusing to load .*writable by its group or others/);
  }
});

test(
  'tunAddon: the real build copied into a private dir loads',
  { skip: findTunAddon() === undefined && 'native/tun not built' },
  (t) => {
    const built = findTunAddon();
    if (built === undefined) return;
    const copy = join(tempDir(t), 'native', ADDON_FILE);
    mkdirSync(dirname(copy));
    copyFileSync(built, copy);
    chmodSync(copy, 0o755);
    const r = tunAddon(copy);
    assert.equal(r.ok, true, r.ok ? '' : r.message);
  },
);
