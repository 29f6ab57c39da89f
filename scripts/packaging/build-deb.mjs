#!/usr/bin/env node
// The deb from an unpacked tree (electron-builder --dir), with dpkg-deb: what electron-builder's deb
// target makes through fpm, for machines where fpm cannot be downloaded (it is fetched on first use).
// Same inputs as that target: the layout of electron-builder.yml's deb section, its postinst/postrm
// templates rendered with the same macros, electron-builder's default Depends plus our fpm --depends.
// usage: node scripts/packaging/build-deb.mjs <linux-unpacked dir> <out.deb> [--compression=xz|gzip|none]
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const [tree, out] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const compression = process.argv.find((a) => a.startsWith('--compression='))?.split('=')[1] ?? 'xz';
if (!tree || !out) {
  console.error('usage: build-deb.mjs <linux-unpacked dir> <out.deb> [--compression=xz|gzip|none]');
  process.exit(2);
}

const { getConfig } = require('app-builder-lib/out/util/config/config.js');
const FpmTarget = require('app-builder-lib/out/targets/FpmTarget.js').default;
const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const product = config.productName;
const executable = config.linux.executableName;
const appDir = `/opt/${product}`;

// Depends: electron-builder's own defaults (it keeps them when deb.depends is unset) and ours.
const defaults = FpmTarget.prototype.getDefaultDepends.call(undefined, 'deb');
const ours = (config.deb.fpm ?? []).filter((a) => a.startsWith('--depends=')).map((a) => a.slice('--depends='.length));
const mappings = (config.deb.fpm ?? []).filter((a) => !a.startsWith('--')).map((a) => a.split('='));

// electron-builder's template macros (FpmTarget); an unknown one is an error there too.
const macros = { executable, sanitizedProductName: product, productFilename: product };
const render = (file) =>
  readFileSync(join(root, file), 'utf8').replace(/\$\{([a-zA-Z]+)\}/g, (_m, name) => {
    if (!(name in macros)) throw new Error(`${file}: unknown macro \${${name}}`);
    return macros[name];
  });

const stage = mkdtempSync(join(tmpdir(), 'cw-deb-'));
// The staging root becomes the package's "./": mkdtemp's 0700 is not what / should look like.
chmodSync(stage, 0o755);
try {
  const put = (from, to, mode) => {
    const target = join(stage, to);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(from, target, { recursive: true, verbatimSymlinks: true });
    if (mode !== undefined) chmodSync(target, mode);
  };
  put(tree, appDir);
  for (const [from, to] of mappings) put(join(root, from), to, 0o644);
  put(join(root, 'resources', 'causeway.desktop'), `/usr/share/applications/${executable}.desktop`, 0o644);
  put(
    join(root, 'resources', 'icons', '256x256.png'),
    `/usr/share/icons/hicolor/256x256/apps/${executable}.png`,
    0o644,
  );

  const debian = join(stage, 'DEBIAN');
  mkdirSync(debian);
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  const control = [
    `Package: ${pkg.name}`,
    `Version: ${pkg.version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${product} contributors <noreply@causeway.invalid>`,
    `Depends: ${[...defaults, ...ours].join(', ')}`,
    'Section: net',
    'Priority: optional',
    `Description: ${config.linux.synopsis}`,
    ` ${config.linux.description}`,
    '',
  ].join('\n');
  writeFileSync(join(debian, 'control'), control);
  writeFileSync(join(debian, 'postinst'), render(config.deb.afterInstall), { mode: 0o755 });
  writeFileSync(join(debian, 'postrm'), render(config.deb.afterRemove), { mode: 0o755 });
  mkdirSync(dirname(out), { recursive: true });
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', stage, out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log(`build-deb: ${out}`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
