// A real FreeRADIUS (Debian `freeradius`, 3.2) for the EAP tests: the strict SSTP peer relays EAP to it
// over RADIUS as RRAS does to NPS. Each start gets a private copy of the Debian raddb in a temp dir
// (our clients.conf with a random secret, our users file, our EAP module with a CA and server
// certificate made here), runs `freeradius -X` in the foreground, listening on 127.0.0.1:<free UDP port> only, and
// waits for "Ready to process requests". Runs as the invoking user (no privilege drop), no root needed.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerCertificates, type IssuedCertificate } from '../peers/certificates.js';
import { onProcessExit } from './cleanup.js';
import { freeradiusEapModule, freeradiusSites, freeradiusUsers } from './freeradius-config.js';
import { freeUdpPort, startRadiusProcess } from './radius-process.js';

const DEBIAN_RADDB = '/etc/freeradius/3.0';
const BINARY = '/usr/sbin/freeradius';
const READY_TIMEOUT_MS = 20_000;

export type EapDefault = 'peap' | 'mschapv2' | 'tls';

export interface FreeRadiusOptions {
  /** Users with cleartext passwords (default testuser/testpass). */
  readonly users?: Readonly<Record<string, string>>;
  /** The method FreeRADIUS proposes first; a client NAKs to another enabled one (default peap). */
  readonly defaultEapType?: EapDefault;
  /** CA (PEM) whose client certificates EAP-TLS accepts (default: the server's own CA). */
  readonly clientCaPem?: string;
}

export interface FreeRadius {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly secret: string;
  /** The CA that signed the EAP server certificate, and that certificate (for trust and pin tests). */
  readonly caPem: string;
  readonly serverCertificate: IssuedCertificate;
  /** Everything `freeradius -X` printed so far (the debug log; secrets are the test's own). */
  output(): string;
  stop(): Promise<void>;
}

export type FreeRadiusCheck = { ok: true } | { ok: false; why: string };

/** Whether this machine can run the FreeRADIUS tests (for `skip`). */
export function freeradiusAvailable(): FreeRadiusCheck {
  if (!existsSync(BINARY))
    return { ok: false, why: `${BINARY} missing: run scripts/setup-debian.sh (apt package freeradius)` };
  if (!existsSync(join(DEBIAN_RADDB, 'radiusd.conf')))
    return { ok: false, why: `${DEBIAN_RADDB}/radiusd.conf missing` };
  return { ok: true };
}

export async function startFreeRadius(options: FreeRadiusOptions = {}): Promise<FreeRadius> {
  const check = freeradiusAvailable();
  if (!check.ok) throw new Error(check.why);
  const dir = mkdtempSync(join(tmpdir(), 'cw-radius-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const unregisterDir = onProcessExit(removeDir);
  try {
    const raddb = join(dir, 'raddb');
    cpSync(DEBIAN_RADDB, raddb, { recursive: true, dereference: false, verbatimSymlinks: true });
    const certs = await peerCertificates();
    const secret = randomBytes(12).toString('hex');
    const port = await freeUdpPort();
    writeConfig(raddb, dir, port, secret, options, certs.ca.certPem, certs.leaf);
    const server = await startRadiusProcess({
      name: 'freeradius',
      binary: BINARY,
      args: ['-X', '-d', raddb],
      readyText: 'Ready to process requests',
      readyTimeoutMs: READY_TIMEOUT_MS,
      tailChars: 3000,
      encoding: 'utf8',
    });
    return {
      host: '127.0.0.1',
      port,
      secret,
      caPem: certs.ca.certPem,
      serverCertificate: certs.leaf,
      output: server.output,
      stop: async () => {
        await server.stop();
        removeDir();
        unregisterDir();
      },
    };
  } catch (e) {
    removeDir();
    unregisterDir();
    throw e;
  }
}

function writeConfig(
  raddb: string,
  dir: string,
  port: number,
  secret: string,
  o: FreeRadiusOptions,
  caPem: string,
  leaf: IssuedCertificate,
): void {
  const conf = join(raddb, 'radiusd.conf');
  // Our copy, our folders; no privilege drop (the files are ours, and the tests may not run as root).
  const text = readFileSync(conf, 'utf8')
    .replace(/^raddbdir = .*$/m, `raddbdir = ${raddb}`)
    .replace(/^logdir = .*$/m, `logdir = ${join(dir, 'log')}`)
    .replace(/^run_dir = .*$/m, `run_dir = ${join(dir, 'run')}`)
    .replace(/^\s*user = freerad$/m, '')
    .replace(/^\s*group = freerad$/m, '')
    // We are the only client and never proxy: no proxy listener on a random port.
    .replace(/^proxy_requests\s*=\s*yes$/m, 'proxy_requests = no');
  writeFileSync(conf, text);
  writeFileSync(
    join(raddb, 'clients.conf'),
    `client loopback {\n\tipaddr = 127.0.0.1\n\tsecret = ${secret}\n\trequire_message_authenticator = yes\n\tshortname = strict-peer\n}\n`,
  );
  writeFileSync(join(raddb, 'mods-config', 'files', 'authorize'), freeradiusUsers(o.users ?? { testuser: 'testpass' }));
  const certdir = join(raddb, 'certs');
  writeFileSync(join(certdir, 'cw-ca.pem'), caPem);
  writeFileSync(join(certdir, 'cw-client-ca.pem'), o.clientCaPem ?? caPem);
  writeFileSync(join(certdir, 'cw-server.pem'), leaf.certPem + caPem);
  writeFileSync(join(certdir, 'cw-server.key'), leaf.keyPem, { mode: 0o600 });
  const sites = freeradiusSites(port);
  for (const [name, text] of [
    ['default', sites.outer],
    ['inner-tunnel', sites.inner],
  ] as const) {
    const at = join(raddb, 'sites-enabled', name);
    rmSync(at, { force: true });
    writeFileSync(at, text);
  }
  const eap = join(raddb, 'mods-enabled', 'eap');
  rmSync(eap, { force: true });
  writeFileSync(eap, freeradiusEapModule({ certdir, defaultEapType: o.defaultEapType ?? 'peap' }));
}
