// An e2e fixture process on the strict SSTP peer instead of SoftEther: the browser host on the real
// services (memory keychain, no system data plane) with one profile pinned to the peer, whose
// MS-CHAPv2 answer is held CAUSEWAY_E2E_AUTH_DELAY_MS (an MFA push being approved). With
// CAUSEWAY_E2E_OTP=1 the profile asks for one-time codes (append) and the peer accepts 111111 and
// 222222 once each after testpass, and drops every link 4 s after IPCP opened.
// Prints one JSON line, then serves until stdin closes or SIGTERM.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryCredentialStore } from '../../main/services/credentials/memory-store.js';
import { resolvePaths } from '../../main/services/paths.js';
import { ProfileStore } from '../../main/services/profiles/store.js';
import { startHostOnServices, type RunningHost } from '../../main/browser-host/compose-host.js';
import { OneTimeCodes } from '../peers/one-time-codes.js';
import { startStrictPeer, type StrictPeer } from '../peers/strict-sstp-server.js';

const delayMs = Number(process.env['CAUSEWAY_E2E_AUTH_DELAY_MS'] ?? '8000');
const otp = process.env['CAUSEWAY_E2E_OTP'] === '1';
const dataDir = await mkdtemp(join(tmpdir(), 'causeway-e2e-peer-'));
let peer: StrictPeer | undefined;
let host: RunningHost | undefined;

async function stop(): Promise<void> {
  await host?.close().catch(() => {});
  await peer?.stop().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();

try {
  peer = await startStrictPeer(
    otp
      ? {
          auth: { methods: ['mschapv2'], oneTimeCodes: new OneTimeCodes(['111111', '222222'], 'append') },
          faults: [{ at: 'ipcp-opened', afterMs: 4_000, action: { kind: 'drop' } }],
        }
      : { auth: { methods: ['mschapv2'], answerDelayMs: delayMs } },
  );
  const paths = resolvePaths({ configDir: join(dataDir, 'config'), stateDir: join(dataDir, 'state') });
  const credentials = new MemoryCredentialStore();
  const added = await new ProfileStore(paths.configDir).add({
    name: otp ? 'OTP lab' : 'MFA lab',
    server: { host: peer.host, port: peer.port },
    username: 'testuser',
    authMethods: ['mschapv2'],
    tls: { minVersion: 'TLSv1.2', insecure: false, pinnedSha256: peer.certSha256 },
    reconnect: { enabled: otp },
    ...(otp ? { otp: { mode: 'append' as const } } : {}),
  });
  if (!added.ok) throw new Error(added.error.message);
  await credentials.set(added.value.id, 'password', 'testpass');
  host = await startHostOnServices({
    paths,
    exportsDir: join(dataDir, 'exports'),
    rendererDir: fileURLToPath(new URL('../../renderer/dist', import.meta.url)),
    credentials,
    version: '0.0.0-e2e',
    dataPlane: 'none',
    log: (m) => process.stderr.write(`[host] ${m}\n`),
  });
  process.stdout.write(`${JSON.stringify({ url: host.url, delayMs, dataDir, skip: null })}\n`);
} catch (e) {
  process.stderr.write(`e2e peer host failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  await stop();
}
