// hostapd (Debian `hostapd`, 2.10) as a second real RADIUS/EAP server: its integrated EAP server
// runs PEAPv0 *with cryptobinding* as Windows NPS does (FreeRADIUS 3.2 sends none), so the client's
// [MS-PEAP] binding and the MSK derived from it meet a real implementation. driver=none: no radio,
// only the RADIUS server on 127.0.0.1:<free UDP port>, a private config in a temp dir.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerCertificates } from '../peers/certificates.js';
import { onProcessExit } from './cleanup.js';

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
  const child = spawn(BINARY, ['-dd', join(dir, 'hostapd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const unregisterChild = onProcessExit(() => child.kill('SIGKILL'));
  let log = '';
  const collect = (b: Buffer): void => {
    log += b.toString('latin1');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitReady(child, () => log);
  } catch (e) {
    unregisterChild();
    removeDir();
    unregisterDir();
    throw e;
  }
  return {
    host: '127.0.0.1',
    port,
    secret,
    caPem: certs.ca.certPem,
    output: () => log,
    stop: async () => {
      await stopChild(child);
      unregisterChild();
      removeDir();
      unregisterDir();
    },
  };
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function waitReady(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (e?: Error): void => {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onExit);
      if (e) {
        child.kill('SIGKILL');
        reject(e);
      } else resolve();
    };
    // The RADIUS server socket is open before the (radio-less) interface reports enabled.
    const poll = setInterval(() => log().includes('AP-ENABLED') && finish(), 50);
    const timer = setTimeout(
      () => finish(new Error(`hostapd not ready after ${READY_TIMEOUT_MS} ms:\n${log().slice(-2000)}`)),
      READY_TIMEOUT_MS,
    );
    const onExit = (code: number | null): void =>
      finish(new Error(`hostapd exited with ${code}:\n${log().slice(-2000)}`));
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
