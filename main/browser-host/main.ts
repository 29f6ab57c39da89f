// `npm start` where Electron is missing: the app's UI in the user's browser, on the same services and the
// same data home as the app and the CLI (XDG config/state dirs).
//   node dist/main/browser-host/main.js [--port N] [--memory-keychain] [--data-plane system|none] [--renderer DIR]
// (or `node --import tsx main/browser-host/main.ts …` from a checkout). With --data-plane system, tunnels
// get a TUN, routes and DNS through the privileged helper (root or polkit).
// Prints one JSON line {"url", "configDir", "stateDir"} once listening; Ctrl-C (SIGINT) or SIGTERM
// disconnects every tunnel, closes every socket and exits 0. When stdin is a pipe (scripts/start.mjs),
// its end means the parent is gone: that stops the host too.
import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CredentialStore } from '../services/credentials/credential-store.js';
import { KeyringCredentialStore } from '../services/credentials/keyring-store.js';
import { MemoryCredentialStore } from '../services/credentials/memory-store.js';
import { defaultStateDir, resolvePaths } from '../services/paths.js';
import { startHostOnServices, type RunningHost } from './compose-host.js';

/** The checkout (or install) root: the nearest folder above this file with a package.json. Works from main/ under tsx and from dist/main/. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

function fail(message: string): never {
  process.stderr.write(`causeway: ${message}\n`);
  process.exit(1);
}

let values: { port?: string; 'memory-keychain'?: boolean; 'data-plane'?: string; renderer?: string };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      'memory-keychain': { type: 'boolean' },
      'data-plane': { type: 'string' },
      renderer: { type: 'string' },
    },
  }));
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
const dataPlane = values['data-plane'] ?? 'none';
if (dataPlane !== 'system' && dataPlane !== 'none') fail(`--data-plane must be system or none, not ${dataPlane}`);
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
  fail(`--port must be a port number, not ${values.port}`);

const root = projectRoot(dirname(fileURLToPath(import.meta.url)));
const rendererDir = resolve(values.renderer ?? join(root, 'renderer', 'dist'));
if (!existsSync(join(rendererDir, 'index.html')))
  fail(`the UI is not built (${join(rendererDir, 'index.html')} is missing): run npm run ui:build`);
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;

const paths = resolvePaths({ env: process.env });
const stateDir = defaultStateDir({ env: process.env });
// The memory keychain is for tests: nothing is saved, which the UI shows as "not saved".
const credentials: CredentialStore = values['memory-keychain']
  ? new MemoryCredentialStore()
  : new KeyringCredentialStore();

let host: RunningHost | undefined;
let stopping = false;
// Repeats are ignored: one Ctrl-C can arrive twice (from the terminal and forwarded by npm or start.mjs).
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await host?.close();
  } catch (e) {
    process.stderr.write(`causeway: while stopping: ${String(e)}\n`);
    process.exit(1);
  }
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (fstatSync(0).isFIFO()) {
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
}

try {
  host = await startHostOnServices({
    paths,
    exportsDir: join(stateDir, 'exports'),
    rendererDir,
    credentials,
    version: typeof version === 'string' ? version : '0.0.0',
    ...(port !== undefined ? { port } : {}),
    dataPlane,
    log: (m) => process.stderr.write(`${m}\n`),
  });
} catch (e) {
  fail(`could not start the browser host: ${e instanceof Error ? e.message : String(e)}`);
}
process.stdout.write(`${JSON.stringify({ url: host.url, configDir: paths.configDir, stateDir })}\n`);
