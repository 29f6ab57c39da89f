#!/usr/bin/env node
// `npm run build:helper`: the root helper and the shipped CLI as one script each, for plain Node
// with no node_modules to read (as root through pkexec it must not read the user-writable asar
// or a checkout's node_modules). Output, mirrored into the package's resources/ by electron-builder:
//   dist/helper/causeway-helper.cjs   the helper (zod and everything else inside)
//   dist/cli/causeway-cli.cjs         the CLI; only the keychain binding stays outside, in
//   dist/cli/keyring/                 @napi-rs/keyring's loader with this platform's .node beside it
//                                     (a prebuilt .node cannot be bundled; electron-builder drops
//                                     node_modules folders from extraResources, so not one of those)
//   dist/native/causeway_tun.node     the TUN addon, where a bundle's resolver looks (../native/)
// usage: node scripts/packaging/bundle.mjs [--helper-only]
import { build } from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const helperOnly = process.argv.includes('--helper-only');

// The sources are ESM and read import.meta.url (addon resolver, createRequire); a CJS bundle has
// __filename instead, so the banner computes the URL once and `define` points every use at it.
// esbuild still warns (empty-import-meta) about import.meta.resolve in helper/client/launch-linux.ts, which the
// CLI bundle contains: it is only reached when running from .ts sources. That file's direct (root)
// launch looks for the helper next to itself, which a bundle does not have: see issue 11's remainder.
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Debian 12's nodejs is 18; the packaged tree runs its own copy of this build's node.
  target: 'node18',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: "const __causewayModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__causewayModuleUrl', __CAUSEWAY_BUNDLE__: 'true' },
};

const addon = join(root, 'native', 'tun', 'build', 'Release', 'causeway_tun.node');
if (!existsSync(addon)) {
  console.error(`bundle: ${addon} is missing (npm run build:native first)`);
  process.exit(1);
}

rmSync(join(dist, 'helper'), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [join(root, 'main', 'helper', 'root', 'main.ts')],
  outfile: join(dist, 'helper', 'causeway-helper.cjs'),
});

mkdirSync(join(dist, 'native'), { recursive: true });
cpSync(addon, join(dist, 'native', 'causeway_tun.node'));
// Root loads this file: nobody but its owner may write it (the resolver refuses it otherwise).
chmodSync(join(dist, 'native', 'causeway_tun.node'), 0o755);

if (!helperOnly) {
  rmSync(join(dist, 'cli'), { recursive: true, force: true });
  await build({
    ...common,
    stdin: {
      contents:
        "import { main } from './main/cli/index.ts';\nmain(process.argv).then((code) => { process.exitCode = code; });\n",
      resolveDir: root,
      sourcefile: 'causeway-cli-entry.ts',
      loader: 'ts',
    },
    outfile: join(dist, 'cli', 'causeway-cli.cjs'),
    // ws's optional speed-ups are not installed; ws runs without them.
    external: ['bufferutil', 'utf-8-validate'],
    plugins: [
      {
        // The keychain binding's loader tries ./keyring.<platform>.node next to itself first.
        name: 'causeway-keyring-beside',
        setup(b) {
          b.onResolve({ filter: /^@napi-rs\/keyring$/ }, () => ({ path: './keyring/index.js', external: true }));
        },
      },
    ],
  });
  // `causeway --version` reads the nearest package.json named causeway; the real one is in the asar,
  // which plain Node cannot read.
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(
    join(dist, 'cli', 'package.json'),
    `${JSON.stringify({ name: 'causeway', version, private: true, type: 'commonjs' }, null, 2)}\n`,
  );
  const scope = join(root, 'node_modules', '@napi-rs');
  const keyring = join(dist, 'cli', 'keyring');
  mkdirSync(keyring, { recursive: true });
  for (const f of ['index.js', 'package.json', 'LICENSE']) cpSync(join(scope, 'keyring', f), join(keyring, f));
  for (const pkg of readdirSync(scope).filter((n) => n.startsWith('keyring-'))) {
    for (const f of readdirSync(join(scope, pkg)).filter((n) => n.endsWith('.node')))
      cpSync(join(scope, pkg, f), join(keyring, f));
  }
}
console.log(
  `bundle: dist/helper/causeway-helper.cjs${helperOnly ? '' : ', dist/cli/causeway-cli.cjs'}, dist/native/causeway_tun.node`,
);
