#!/usr/bin/env node
// `npm start`: the desktop app. Under Electron when its binary is installed (npm downloads it on
// machines with internet access, once `electron` is allowed to run its install script); otherwise the
// same UI on the same services and the same data home in your browser, served on loopback with a
// random token (main/browser-host). Ctrl-C stops it: tunnels are disconnected, then it exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { setTimeout } from 'node:timers';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** How long the browser host may take to disconnect its tunnels after Ctrl-C. */
const STOP_GRACE_MS = 15_000;

function run(args) {
  const r = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/**
 * Electron's binary, or undefined. Read where the electron package records it (path.txt, the file its
 * own index.js reads) and look for the file: requiring 'electron' instead would start a download when
 * the binary is missing, which without internet access waits minutes before failing.
 */
function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  let name;
  try {
    name = readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
  } catch {
    return undefined;
  }
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(pkg, 'dist');
  const path = join(dist, name);
  return name && existsSync(path) ? path : undefined;
}

const electron = electronBinary();
if (!electron) {
  console.error(
    'Electron is not installed here (node_modules/electron has no binary; with internet access `node node_modules/electron/install.js` fetches it),\n' +
      'so Causeway opens in your browser instead: same UI, same services, same profiles.',
  );
}
run(['run', '--silent', 'build']);
run(['run', '--silent', 'ui:build']);
if (electron) {
  run(['exec', '--', 'tsc', '-p', 'main/app/tsconfig.json']);
  run(['exec', '--', 'tsc', '-p', 'main/app/tsconfig.preload.json']);
  const child = spawn(electron, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  // Its own process group, so a terminal's Ctrl-C reaches it once, through us (npm forwards the signal
  // to us as well): the host treats one SIGINT as "stop cleanly". Its stdin is ours: if we are killed
  // outright, it sees end-of-file and stops too.
  const child = spawn(
    process.execPath,
    [join(root, 'dist', 'main', 'browser-host', 'main.js'), ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: process.platform !== 'win32',
    },
  );
  createInterface({ input: child.stdout }).on('line', (line) => {
    let info;
    try {
      info = JSON.parse(line);
    } catch {
      info = undefined;
    }
    if (info && typeof info.url === 'string') {
      console.log(
        `\nCauseway is running. Open this address in your browser:\n\n  ${info.url}\n\n(profiles in ${info.configDir}, logs in ${info.stateDir}; Ctrl-C to stop)`,
      );
    } else {
      console.log(line);
    }
  });
  let forwarded = false;
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(s, () => {
      if (forwarded) return;
      forwarded = true;
      child.kill(s === 'SIGHUP' ? 'SIGTERM' : s);
      setTimeout(() => {
        console.error('Causeway did not stop in time; killing it.');
        child.kill('SIGKILL');
      }, STOP_GRACE_MS).unref();
    });
  }
  child.on('exit', (code, signal) => {
    // Said on stdout, which outlives npm: npm itself dies of the Ctrl-C without waiting for us.
    console.log(code === 0 ? 'Causeway stopped.' : `Causeway stopped (${signal ?? `exit code ${code}`}).`);
    process.exit(code ?? 1);
  });
}
