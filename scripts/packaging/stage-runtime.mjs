#!/usr/bin/env node
// Copies the node that runs this script to dist/runtime/node, which electron-builder ships as
// resources/node/node: the runtime of the root helper and the CLI. The packaged Electron binary
// cannot serve (its RunAsNode fuse is off, so a stray ELECTRON_RUN_AS_NODE cannot turn the app into
// an interpreter). The addon is N-API, so any node from 18 up runs it.
// usage: node scripts/packaging/stage-runtime.mjs [path/to/node]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = process.argv[2] ?? process.execPath;
// A distribution's node (Debian's nodejs) links libnode.so from its own package: a copy of the
// executable alone would not start on a machine without it.
let libs = '';
try {
  libs = execFileSync('ldd', [source], { encoding: 'utf8' });
} catch {
  /* static, or no ldd: nothing to check */
}
if (/libnode\.so/.test(libs)) {
  console.error(
    `stage-runtime: ${source} needs libnode.so; use a self-contained node (nodejs.org or NodeSource builds)`,
  );
  process.exit(1);
}
const target = join(root, 'dist', 'runtime', 'node');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
chmodSync(target, 0o755);
console.log(`stage-runtime: ${source} → dist/runtime/node`);
