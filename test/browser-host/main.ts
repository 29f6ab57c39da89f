// Dev/test entry: `node --import tsx test/browser-host/main.ts [--data DIR] [--port N] [--memory-keychain] [--data-plane system]`
// With --data-plane system, tunnels get a TUN, routes and DNS through the privileged helper (root or polkit).
// Prints one JSON line {"url": …} once listening. Uses the OS keychain unless told otherwise.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KeyringCredentialStore } from '../../main/services/credentials/keyring-store.js';
import { MemoryCredentialStore } from '../../main/services/credentials/memory-store.js';
import { startHostOnServices } from './compose-host.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' }, 'memory-keychain': { type: 'boolean' }, 'data-plane': { type: 'string' } } });
const dataPlane = values['data-plane'] ?? 'none';
if (dataPlane !== 'system' && dataPlane !== 'none') throw new Error(`--data-plane must be system or none, not ${dataPlane}`);
const dataDir = values.data ?? (await mkdtemp(join(tmpdir(), 'causeway-host-')));
const host = await startHostOnServices({
  dataDir,
  credentials: values['memory-keychain'] ? new MemoryCredentialStore() : new KeyringCredentialStore(),
  ...(values.port ? { port: Number(values.port) } : {}),
  dataPlane,
  log: (m) => process.stderr.write(`${m}\n`),
});
process.stdout.write(`${JSON.stringify({ url: host.url, dataDir })}\n`);
const stop = () => void host.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
