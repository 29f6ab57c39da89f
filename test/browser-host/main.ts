// Dev/test entry: `node --import tsx test/browser-host/main.ts [--data DIR] [--port N] [--memory-keychain]`
// Prints one JSON line {"url": …} once listening. Uses the OS keychain unless told otherwise.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KeytarCredentialStore } from '../../main/services/credentials/keytar-store.js';
import { MemoryCredentialStore } from '../../main/services/credentials/memory-store.js';
import { startHostOnServices } from './compose-host.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' }, 'memory-keychain': { type: 'boolean' } } });
const dataDir = values.data ?? (await mkdtemp(join(tmpdir(), 'causeway-host-')));
const host = await startHostOnServices({
  dataDir,
  credentials: values['memory-keychain'] ? new MemoryCredentialStore() : new KeytarCredentialStore(),
  ...(values.port ? { port: Number(values.port) } : {}),
  log: (m) => process.stderr.write(`${m}\n`),
});
process.stdout.write(`${JSON.stringify({ url: host.url, dataDir })}\n`);
const stop = () => void host.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
