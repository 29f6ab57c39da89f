#!/usr/bin/env node
// `npm start`: the desktop app. Under Electron when its binary is installed (npm downloads it on
// machines with internet access, once `electron` is allowed to run its install script); otherwise the
// same UI on the same services in your browser, served on loopback with a random token.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(args) {
  const r = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Electron's binary, downloaded on first use by the electron package itself; undefined when that fails. */
function electronBinary() {
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(String(require('electron')))"], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  const path = r.status === 0 ? r.stdout.trim() : '';
  if (path && existsSync(path)) return path;
  console.error('Electron could not be installed here (no internet access to download it?).');
  return undefined;
}

run(['run', '--silent', 'build']);
run(['run', '--silent', 'ui:build']);
const electron = electronBinary();
if (electron) {
  run(['exec', '--', 'tsc', '-p', 'main/app/tsconfig.json']);
  run(['exec', '--', 'tsc', '-p', 'main/app/tsconfig.preload.json']);
  const child = spawn(electron, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error('Electron is not installed here, so the app opens in your browser instead (same UI, same services).');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/browser-host/main.ts'), ...process.argv.slice(2)], {
    cwd: root,
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (d) => {
    for (const line of d.toString().split('\n').filter(Boolean)) {
      try {
        const { url, dataDir } = JSON.parse(line);
        console.log(`\nCauseway is running. Open this address in your browser:\n\n  ${url}\n\n(profiles in ${dataDir}; Ctrl-C to stop)`);
      } catch {
        console.log(line);
      }
    }
  });
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
  child.on('exit', (code) => process.exit(code ?? 0));
}
