// The e2e fixture process: a private Secret Service (the real keyring binding on gnome-keyring, a bus of our
// own), a real SoftEther server in a netns, and the browser host on the real services, in a temp dir.
// Prints one JSON line with what the tests need, then serves until stdin closes or SIGTERM.
// CAUSEWAY_E2E_NO_SERVER=1: no SoftEther (for suites that only need the UI on the real services).
// CAUSEWAY_E2E_KEYCHAIN=absent: the real keychain backend on a session bus where no Secret Service runs.
// Runs outside Playwright's loader (under tsx) because the harness and services are NodeNext TypeScript.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrivateKeyring, type PrivateKeyring } from '../integration/services/helpers/private-keyring.js';
import { startSoftEther, integrationSkip, type SoftEtherServer } from '../harness/softether.js';
import { KeyringCredentialStore } from '../../main/services/credentials/keyring-store.js';
import { MemoryCredentialStore } from '../../main/services/credentials/memory-store.js';
import { resolvePaths } from '../../main/services/paths.js';
import { startHostOnServices, type RunningHost } from '../../main/browser-host/compose-host.js';

const noServer = process.env['CAUSEWAY_E2E_NO_SERVER'] === '1';
const skip = noServer ? 'not asked for a server' : integrationSkip();
let keyring: PrivateKeyring | undefined;
let server: SoftEtherServer | undefined;
let host: RunningHost | undefined;
const dataDir = await mkdtemp(join(tmpdir(), 'causeway-e2e-'));

async function stop(): Promise<void> {
  await host?.close().catch(() => {});
  await server?.stop().catch(() => {});
  await keyring?.stop().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();

try {
  let keychain: 'keyring' | 'absent' | 'memory' = 'memory';
  if (process.env['CAUSEWAY_E2E_MEMORY_KEYCHAIN'] !== '1') {
    const absent = process.env['CAUSEWAY_E2E_KEYCHAIN'] === 'absent';
    keyring = await startPrivateKeyring({ unlock: true, secretService: !absent });
    // The keyring binding reads the bus address when it first connects, which is after this.
    Object.assign(process.env, { DBUS_SESSION_BUS_ADDRESS: keyring.busAddress });
    keychain = absent ? 'absent' : 'keyring';
  }
  const credentials =
    keychain === 'memory' ? new MemoryCredentialStore() : new KeyringCredentialStore({ service: 'causeway-e2e' });
  if (skip === false) server = await startSoftEther({ name: 'cw-e2e' });
  host = await startHostOnServices({
    // The same layout as a data home (config/, state/), in a throwaway folder.
    paths: resolvePaths({ configDir: join(dataDir, 'config'), stateDir: join(dataDir, 'state') }),
    exportsDir: join(dataDir, 'exports'),
    rendererDir: fileURLToPath(new URL('../../renderer/dist', import.meta.url)),
    credentials,
    version: '0.0.0-e2e',
    log: (m) => process.stderr.write(`[host] ${m}\n`),
  });
  process.stdout.write(
    `${JSON.stringify({
      url: host.url,
      exportsDir: host.exportsDir,
      dataDir,
      keychain,
      softether: server
        ? {
            host: server.host,
            port: server.port,
            username: server.users.username,
            password: server.users.password,
            sha256: server.certDerSha256,
          }
        : null,
      skip: skip === false ? null : skip,
    })}\n`,
  );
} catch (e) {
  process.stderr.write(`e2e host failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  await stop();
}
