// A fresh `npm install` must compile nothing but our own TUN addon: a user installing a VPN app should
// not need C headers (keytar needed libsecret-1-dev and broke exactly that). The lockfile records
// every package with an install script; each allowed one says why it is harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Install scripts that neither compile nor download: package path in the lockfile → why it may run. */
const ALLOWED: Readonly<Record<string, string>> = {
  'node_modules/esbuild': 'checks that its prebuilt platform package (an optional dependency) was installed',
  'node_modules/electron-winstaller': "picks the 7-Zip binary shipped in the package for the machine's architecture",
  'node_modules/electron':
    'downloads the Electron binary where the network allows; skipped with ELECTRON_SKIP_BINARY_DOWNLOAD',
};

interface LockPackage {
  readonly hasInstallScript?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
}

function lockPackages(): Readonly<Record<string, LockPackage>> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  return lock.packages;
}

test('only allow-listed packages have install scripts', () => {
  const withScripts = Object.entries(lockPackages())
    .filter(([path, p]) => path !== '' && p.hasInstallScript === true)
    .map(([path]) => path);
  const unexpected = withScripts.filter((path) => !(path in ALLOWED));
  assert.deepEqual(unexpected, [], `packages that would run an install script: ${unexpected.join(', ')}`);
});

test('no dependency builds with node-gyp at install (only our own native/tun does, from package.json)', () => {
  const packages = lockPackages();
  const keychain = packages['node_modules/keytar'];
  assert.equal(keychain, undefined, 'keytar compiles against libsecret at install');
  // A package shipping binding.gyp with an install script is a node-gyp build (npm's default install).
  const builds: string[] = [];
  for (const [path, p] of Object.entries(packages)) {
    if (path === '' || p.hasInstallScript !== true) continue;
    if (existsSync(join(root, path, 'binding.gyp'))) builds.push(path);
  }
  assert.deepEqual(builds, []);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(manifest.scripts['build:native'] ?? '', /node-gyp rebuild --directory native\/tun/);
});

test('the keychain binding is prebuilt for this platform (no compile step, no -dev package)', () => {
  const scoped = join(root, 'node_modules', '@napi-rs');
  const prebuilt = readdirSync(scoped).filter((name) => name.startsWith('keyring-') && name.includes(process.platform));
  assert.ok(prebuilt.length > 0, `no prebuilt @napi-rs/keyring binary for ${process.platform} in ${scoped}`);
  const nodes = prebuilt.flatMap((dir) => readdirSync(join(scoped, dir)).filter((f) => f.endsWith('.node')));
  assert.ok(nodes.length > 0, 'the prebuilt package carries no .node binary');
});

test('setup installs no -dev package for the keychain', () => {
  const setup = readFileSync(join(root, 'scripts', 'setup-debian.sh'), 'utf8');
  assert.doesNotMatch(setup, /libsecret-1-dev/);
});
