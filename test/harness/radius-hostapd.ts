// hostapd (Debian `hostapd`, 2.10) as a second real RADIUS/EAP server: its integrated EAP server
// runs PEAPv0 *with cryptobinding* as Windows NPS does (FreeRADIUS 3.2 sends none), so the client's
// [MS-PEAP] binding and the MSK derived from it meet a real implementation. driver=none: no radio,
// only the RADIUS server on 127.0.0.1:<free UDP port>, a private config in a temp dir.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerCertificates } from '../peers/certificates.js';
import { onProcessExit } from './cleanup.js';
import { freeUdpPort, startRadiusProcess } from './radius-process.js';

const BINARY = '/usr/sbin/hostapd';
const READY_TIMEOUT_MS = 15_000;

export interface HostapdRadius {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly secret: string;
  readonly caPem: string;
  output(): string;
  stop(): Promise<void>;
}

export function hostapdAvailable(): { ok: true } | { ok: false; why: string } {
  return existsSync(BINARY)
    ? { ok: true }
    : { ok: false, why: `${BINARY} missing: run scripts/setup-debian.sh (apt package hostapd)` };
}

export async function startHostapdRadius(
  users: Readonly<Record<string, string>> = { testuser: 'testpass' },
): Promise<HostapdRadius> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-hostapd-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const unregisterDir = onProcessExit(removeDir);
  const certs = await peerCertificates();
  const secret = randomBytes(12).toString('hex');
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'ca.pem'), certs.ca.certPem);
  writeFileSync(join(dir, 'server.pem'), certs.leaf.certPem);
  writeFileSync(join(dir, 'server.key'), certs.leaf.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'clients'), `127.0.0.1/32 ${secret}\n`);
  // Phase 1 PEAP for anyone; phase 2 ([2]) EAP-MSCHAPv2 with the cleartext password.
  const lines = ['* PEAP', ...Object.entries(users).map(([u, p]) => `"${u}" MSCHAPV2 "${p}" [2]`)];
  writeFileSync(join(dir, 'users'), `${lines.join('\n')}\n`);
  const conf = [
    'driver=none',
    'logger_stdout=-1',
    'logger_stdout_level=0',
    `radius_server_clients=${join(dir, 'clients')}`,
    `radius_server_auth_port=${port}`,
    'eap_server=1',
    `eap_user_file=${join(dir, 'users')}`,
    `ca_cert=${join(dir, 'ca.pem')}`,
    `server_cert=${join(dir, 'server.pem')}`,
    `private_key=${join(dir, 'server.key')}`,
    // PEAPv0 as Windows runs it is TLS 1.2.
    'tls_flags=[DISABLE-TLSv1.3]',
  ];
  writeFileSync(join(dir, 'hostapd.conf'), `${conf.join('\n')}\n`);
  let server;
  try {
    server = await startRadiusProcess({
      name: 'hostapd',
      binary: BINARY,
      args: ['-dd', join(dir, 'hostapd.conf')],
      // The RADIUS server socket is open before the (radio-less) interface reports enabled.
      readyText: 'AP-ENABLED',
      readyTimeoutMs: READY_TIMEOUT_MS,
      tailChars: 2000,
      encoding: 'latin1',
    });
  } catch (e) {
    removeDir();
    unregisterDir();
    throw e;
  }
  const { output, stop } = server;
  return {
    host: '127.0.0.1',
    port,
    secret,
    caPem: certs.ca.certPem,
    output,
    stop: async () => {
      await stop();
      removeDir();
      unregisterDir();
    },
  };
}
