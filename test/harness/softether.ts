// A real SoftEther SSTP server for integration tests and benchmarks, isolated in its own network
// namespace and reachable from the host over a veth pair. Needs root (namespaces, bind mounts).
//
//   host netns:    <name>-h  10.200.N.2/24
//   netns <name>:  <name>-s  10.200.N.1/24   vpnserver on :443 (patched copy, see vpnserver-patch.ts)
//                  tap_soft  192.168.30.5/24 (bridge: true; local bridge of HUB1)
//                  nginx on :8080 serving httpRoot (http: true)
//   HUB1, testuser / testpass; SecureNAT gateway + DNS 192.168.30.1, DHCP 192.168.30.10-200.
//
// N is 0 for the default name "cw-srv" and derived from the name otherwise, so differently named
// servers can run side by side. Each name is guarded by a lock file: a second process asking for the
// same name waits for the first to stop; the leftovers of a crashed run are removed before starting.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createHash, createPrivateKey, randomFillSync, X509Certificate } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { onProcessExit } from './cleanup.js';
import {
  createNetns,
  createVethPair,
  debug,
  deleteLink,
  deleteNetns,
  deleteNetnsSync,
  findExecutable,
  ipv4Addresses,
  isAlive,
  linkExists,
  netnsPids,
  run,
  runSyncQuiet,
  sleep,
  tool,
  waitFor,
  waitForTcpPort,
} from './netns.js';
import { vpnServerConfig } from './softether-config.js';
import { harnessRoot } from './state.js';
import { DEBIAN_VPNSERVER, DEBIAN_VPNSERVER_SHA256, ensurePatchedVpnserver, sha256Hex } from './vpnserver-patch.js';

export const VPNCMD = '/usr/libexec/softether/vpncmd/vpncmd';
const SERVER_NAME = 'sstp.example.test';
const BRIDGE_ADDRESS = '192.168.30.5';
const BRIDGE_DEVICE = 'tap_soft';
const HTTP_PORT = 8080;
const DEFAULT_NAME = 'cw-srv';
// vpnserver and vpncmd have these folders compiled in; we bind-mount private ones over them.
const SOFTETHER_DIRS = { db: '/var/lib/softether', log: '/var/log/softether', run: '/run/softether' } as const;

export type IntegrationCheck = { ok: true } | { ok: false; why: string };

export interface SoftEtherOptions {
  /** Local bridge of HUB1 to tap_soft in the server netns, addressed 192.168.30.5/24. */
  bridge?: boolean;
  /** nginx on :8080 in the server netns serving httpRoot (implies bridge). */
  http?: boolean;
  /** Names the netns (and derives veth names, subnet, state dir): [a-z][a-z0-9-]{0,11}. */
  name?: string;
}

export interface BlobInfo {
  name: string;
  path: string;
  size: number;
  sha256: string;
  /** Through the tunnel: http://192.168.30.5:8080/<name> */
  url: string;
  /** Without the tunnel, from the host netns: http://10.200.N.1:8080/<name> */
  directUrl: string;
}

export interface SoftEtherServer {
  readonly name: string;
  /** Server address reachable from the host netns. */
  readonly host: string;
  readonly port: 443;
  /** Host-side address of the veth (the source address host traffic arrives from). */
  readonly hostAddress: string;
  readonly netns: string;
  /** Name in the certificate's CN and SAN (SAN also holds 127.0.0.1 and `host`). */
  readonly serverName: string;
  readonly certPem: string;
  /** Lowercase hex SHA-256 of the certificate's DER, as used by SSTP crypto binding. */
  readonly certDerSha256: string;
  readonly certDerSha1: string;
  readonly hub: 'HUB1';
  readonly users: { readonly username: 'testuser'; readonly password: 'testpass' };
  readonly bridgeAddress?: '192.168.30.5';
  /** Directory nginx serves (http: true). */
  readonly httpRoot?: string;
  /** http://192.168.30.5:8080/ — through the tunnel (http: true). */
  readonly httpUrl?: string;
  /** http://10.200.N.1:8080/ — the same files without the tunnel (http: true). */
  readonly httpDirectUrl?: string;
  /** Private state (config, logs); removed by stop() unless CAUSEWAY_HARNESS_KEEP=1. */
  readonly stateDir: string;
  /** Wall time startSoftEther took (not counting a wait for the name's lock), and its steps. */
  readonly startupMs: number;
  readonly timings: Readonly<Record<string, number>>;
  /** Stops everything and removes the netns, veth, processes and state. Idempotent. */
  stop(): Promise<void>;
  /** Kills the server process (if running) and starts it again with the same config. */
  restart(): Promise<void>;
  /** SIGKILLs the server process only; the netns, veth and nginx stay. */
  kill(): Promise<void>;
  /** Runs vpncmd (server admin mode, /IN: file, under `timeout`) in the netns; returns its output. */
  vpncmd(cmds: readonly string[]): Promise<string>;
  /** Writes a file into httpRoot (http: true). */
  writeBlob(name: string, bytes: Uint8Array): Promise<BlobInfo>;
  /** Writes `size` random bytes into httpRoot, streamed (http: true). */
  writeRandomBlob(name: string, size: number): Promise<BlobInfo>;
  /** Every process in the server netns (vpnserver, nginx, a running vpncmd): for leak checks. */
  processes(): Promise<number[]>;
  /** The server's stdout/stderr so far (its own log lines), for failure messages. */
  serverOutput(): string;
}

// --- environment checks -------------------------------------------------------------------------

const REQUIRED_TOOLS = ['ip', 'unshare', 'setpriv', 'timeout', 'openssl', 'sh', 'mount', 'tinyproxy', 'nginx'] as const;

/** Root on Linux: what network namespaces and bind mounts need. */
export function requireRoot(): IntegrationCheck {
  if (process.platform !== 'linux')
    return { ok: false, why: `integration tests need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0)
    return { ok: false, why: 'integration tests need root (network namespaces, bind mounts)' };
  return { ok: true };
}

let sourceHashVerdict: string | undefined;

/** Everything the harness (SoftEther, nginx, tinyproxy) needs, with the first missing piece named. */
export function canRunIntegration(): IntegrationCheck {
  const root = requireRoot();
  if (!root.ok) return root;
  const missing = REQUIRED_TOOLS.filter((name) => findExecutable(name) === undefined);
  if (missing.length > 0) return { ok: false, why: `missing tools: ${missing.join(', ')}` };
  for (const file of [DEBIAN_VPNSERVER, VPNCMD, join(DEBIAN_VPNSERVER, '..', 'hamcore.se2'), '/dev/net/tun']) {
    if (!existsSync(file))
      return { ok: false, why: `missing ${file} (apt packages softether-vpnserver, softether-vpncmd)` };
  }
  if (sourceHashVerdict === undefined) {
    const actual = sha256Hex(readFileSync(DEBIAN_VPNSERVER));
    sourceHashVerdict =
      actual === DEBIAN_VPNSERVER_SHA256
        ? ''
        : `${DEBIAN_VPNSERVER} has sha256 ${actual}, not the Debian 12 build the SSTP patch is made for`;
  }
  if (sourceHashVerdict !== '') return { ok: false, why: sourceHashVerdict };
  return { ok: true };
}

/**
 * For node:test's `skip` option: the reason to skip, or false. In CI (CI=true or
 * CAUSEWAY_REQUIRE_INTEGRATION=1) a failed check throws instead, so integration tests cannot
 * silently turn into skips there.
 */
export function integrationSkip(): string | false {
  const check = canRunIntegration();
  if (check.ok) return false;
  const required = process.env['CAUSEWAY_REQUIRE_INTEGRATION'] === '1' || process.env['CI'] === 'true';
  if (required) throw new Error(`integration tests are required here but cannot run: ${check.why}`);
  return check.why;
}

// --- private folders and the per-name lock ------------------------------------------------------

function lockOwner(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

async function acquireNameLock(root: string, name: string): Promise<string> {
  const path = join(root, `${name}.lock`);
  const waitMs = Number(process.env['CAUSEWAY_HARNESS_LOCK_WAIT_MS'] ?? 180_000);
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = lockOwner(path);
    if (owner === process.pid) {
      throw new Error(`a SoftEther server named "${name}" is already running in this process; pass another name`);
    }
    // An unreadable lock is a writer caught between create and write, unless it is old.
    const stale =
      owner === undefined
        ? Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 5_000
        : !isAlive(owner);
    if (stale) {
      debug(`removing stale lock ${path} (owner ${owner ?? '?'})`);
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`SoftEther server "${name}" is held by pid ${owner} for more than ${waitMs} ms`);
    if (!announced) {
      announced = true;
      debug(`SoftEther "${name}" is in use by pid ${owner}; waiting for it`);
    }
    await sleep(200);
  }
}

// --- small helpers ------------------------------------------------------------------------------

function subnetOctet(name: string): number {
  if (name === DEFAULT_NAME) return 0;
  // FNV-1a keeps names stable across runs, so a crashed run's leftovers are found under the same name.
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(name)) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
  return 1 + (h % 254);
}

interface ChildHandle {
  child: ChildProcess;
  pid: number;
}

function childDone(handle: ChildHandle | undefined): boolean {
  if (handle === undefined) return true;
  // Only the reaped exit status counts: a killed multi-threaded process shows as a zombie while
  // its other threads still hold its sockets.
  return handle.child.exitCode !== null || handle.child.signalCode !== null;
}

/** SIGKILLs a detached child's whole process group (anything it may have forked goes too). */
function killGroup(handle: ChildHandle | undefined): void {
  if (handle === undefined) return;
  try {
    process.kill(-handle.pid, 'SIGKILL');
  } catch {
    // group already gone
  }
}

/** SIGKILLs a child's process group and waits until the child is reaped. */
async function killAndWait(handle: ChildHandle | undefined, what: string): Promise<void> {
  if (handle === undefined || childDone(handle)) return;
  killGroup(handle);
  // Polling with timers (not the 'exit' event) keeps the loop alive: the children are unref'd.
  await waitFor(`${what} (pid ${handle.pid}) to exit`, () => childDone(handle), 5_000, 10);
}

function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

const BLOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

// --- the server ---------------------------------------------------------------------------------

class SoftEtherInstance implements SoftEtherServer {
  readonly port = 443 as const;
  readonly hub = 'HUB1' as const;
  readonly users = { username: 'testuser', password: 'testpass' } as const;
  readonly serverName = SERVER_NAME;
  readonly host: string;
  readonly hostAddress: string;
  readonly netns: string;
  readonly stateDir: string;
  readonly bridgeAddress?: '192.168.30.5';
  readonly httpRoot?: string;
  readonly httpUrl?: string;
  readonly httpDirectUrl?: string;
  certPem = '';
  certDerSha256 = '';
  certDerSha1 = '';
  startupMs = 0;
  readonly timings: Record<string, number> = {};

  private readonly hostIf: string;
  private readonly nsIf: string;
  private readonly dirs: { db: string; log: string; run: string; cmd: string; nginx: string };
  private readonly serverOut: string;
  private server: ChildHandle | undefined;
  private nginx: ChildHandle | undefined;
  private vpncmdCount = 0;
  private stopping: Promise<void> | undefined;
  private readonly unregisterExit: () => void;

  constructor(
    readonly name: string,
    private readonly binary: string,
    private readonly lockPath: string,
    private readonly withBridge: boolean,
    private readonly withHttp: boolean,
    root: string,
  ) {
    const octet = subnetOctet(name);
    this.host = `10.200.${octet}.1`;
    this.hostAddress = `10.200.${octet}.2`;
    this.netns = name;
    this.hostIf = `${name}-h`;
    this.nsIf = `${name}-s`;
    this.stateDir = join(root, `srv-${name}`);
    this.dirs = {
      db: join(this.stateDir, 'db'),
      log: join(this.stateDir, 'log'),
      run: join(this.stateDir, 'run'),
      cmd: join(this.stateDir, 'vpncmd'),
      nginx: join(this.stateDir, 'nginx'),
    };
    this.serverOut = join(this.stateDir, 'vpnserver.out');
    if (withBridge) this.bridgeAddress = BRIDGE_ADDRESS;
    if (withHttp) {
      this.httpRoot = join(this.stateDir, 'www');
      this.httpUrl = `http://${BRIDGE_ADDRESS}:${HTTP_PORT}/`;
      this.httpDirectUrl = `http://${this.host}:${HTTP_PORT}/`;
    }
    this.unregisterExit = onProcessExit(() => this.stopSync());
  }

  private async step<T>(label: string, work: () => Promise<T>): Promise<T> {
    const t = performance.now();
    const result = await work();
    const ms = Math.round(performance.now() - t);
    this.timings[label] = ms;
    debug(`${this.name}: ${label} ${ms} ms`);
    return result;
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    await this.step('leftovers', () => this.removeLeftovers());
    await this.step('subnet check', () => this.checkSubnetFree());
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    for (const dir of Object.values(this.dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The compiled-in folders must exist as mount points; the package's systemd unit creates the same.
    for (const dir of Object.values(SOFTETHER_DIRS)) mkdirSync(dir, { recursive: true, mode: 0o755 });
    // Only a local resolver that does not exist: nothing in the netns may resolve names outside it.
    writeFileSync(join(this.stateDir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    // The certificate (RSA key generation) and the network plumbing do not depend on each other.
    await Promise.all([
      this.step('certificate', () => this.makeCertificate()),
      this.step('netns + veth', () => this.makeNetwork()),
    ]);
    await this.step('vpnserver listening', () => this.startServerProcess());
    await this.step('vpncmd configure', () => this.configure());
    if (this.withBridge) await this.step('bridge address', () => this.addressBridge());
    if (this.withHttp) await this.step('nginx', () => this.startNginx());
    debug(`${this.name}: ready (${Math.round(performance.now() - t0)} ms after the lock) at https://${this.host}:443/`);
  }

  private async removeLeftovers(): Promise<void> {
    // We hold the name's lock, so anything under these names belongs to a run that died.
    await deleteLink(this.hostIf);
    await deleteNetns(this.netns);
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  private async checkSubnetFree(): Promise<void> {
    const prefix = this.host.slice(0, this.host.lastIndexOf('.') + 1);
    const clash = (await ipv4Addresses()).find((a) => a.cidr.startsWith(prefix));
    if (clash !== undefined) {
      throw new Error(
        `${prefix}0/24 (derived from the name "${this.name}") is already on ${clash.ifname} (${clash.cidr}); pick another name`,
      );
    }
  }

  private async makeCertificate(): Promise<void> {
    const certPath = join(this.stateDir, 'cert.pem');
    const keyPath = join(this.stateDir, 'key.pem');
    await run(tool('openssl'), [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '3650',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-subj',
      `/CN=${SERVER_NAME}`,
      '-addext',
      `subjectAltName=DNS:${SERVER_NAME},IP:127.0.0.1,IP:${this.host}`,
    ]);
    this.certPem = readFileSync(certPath, 'utf8');
    const der = new X509Certificate(this.certPem).raw;
    this.certDerSha256 = createHash('sha256').update(der).digest('hex');
    this.certDerSha1 = createHash('sha1').update(der).digest('hex');
    const keyDer = createPrivateKey(readFileSync(keyPath)).export({ type: 'pkcs1', format: 'der' });
    writeFileSync(
      join(this.dirs.db, 'vpn_server.config'),
      vpnServerConfig({ certDerBase64: der.toString('base64'), keyPkcs1DerBase64: keyDer.toString('base64') }),
      { mode: 0o600 },
    );
  }

  private async makeNetwork(): Promise<void> {
    const prefix = this.host.slice(0, this.host.lastIndexOf('.') + 1);
    await createNetns(this.netns);
    await createVethPair({
      hostIf: this.hostIf,
      hostCidr: `${prefix}2/24`,
      nsIf: this.nsIf,
      nsCidr: `${prefix}1/24`,
      netns: this.netns,
    });
  }

  /** Spawns a long-running command in the netns, detached into its own process group. */
  private spawnInNetns(args: readonly string[], outFile: string): ChildHandle {
    const out = openSync(outFile, 'a', 0o600);
    try {
      // setpriv's parent-death signal takes the process down even if this test process is SIGKILLed.
      const child = spawn(
        tool('ip'),
        ['netns', 'exec', this.netns, tool('setpriv'), '--pdeathsig', 'KILL', '--', ...args],
        { detached: true, stdio: ['ignore', out, out], cwd: this.stateDir },
      );
      // A test that forgets stop() must still be able to exit; the exit hook then cleans up.
      child.unref();
      if (child.pid === undefined) throw new Error(`could not spawn ${args.join(' ')}`);
      return { child, pid: child.pid };
    } finally {
      closeSync(out);
    }
  }

  private async startServerProcess(): Promise<void> {
    // The bind mounts must happen inside the new mount namespace, right before exec, so a tiny fixed
    // sh script does them; every path reaches it as a positional argument, never as script text.
    const script =
      'mount --bind "$1" /var/lib/softether && mount --bind "$2" /var/log/softether && ' +
      'mount --bind "$3" /run/softether && mount --bind "$4" /etc/resolv.conf && exec "$5" start --foreground';
    const handle = this.spawnInNetns(
      [
        tool('unshare'),
        '-m',
        '--propagation',
        'private',
        '--',
        tool('sh'),
        '-c',
        script,
        'sh',
        this.dirs.db,
        this.dirs.log,
        this.dirs.run,
        join(this.stateDir, 'resolv.conf'),
        this.binary,
      ],
      this.serverOut,
    );
    this.server = handle;
    debug(`${this.name}: vpnserver pid ${handle.pid}`);
    await waitForTcpPort(this.host, 443, {
      timeoutMs: 20_000,
      check: () => {
        if (childDone(handle)) throw new Error(`vpnserver exited during startup:\n${tail(this.serverOutput())}`);
      },
    });
  }

  async vpncmd(cmds: readonly string[]): Promise<string> {
    for (const cmd of cmds)
      if (/[\r\n]/.test(cmd)) throw new Error(`vpncmd command with a line break: ${JSON.stringify(cmd)}`);
    this.vpncmdCount += 1;
    const input = join(this.dirs.cmd, `in-${this.vpncmdCount}.txt`);
    await writeFile(input, `${cmds.join('\n')}\n`, { mode: 0o600 });
    // vpncmd keeps lang.config in the compiled-in /var/lib/softether: give it a private one. It can
    // stop at an interactive prompt and spin, hence `timeout` around everything.
    const script = 'mount --bind "$1" /var/lib/softether && shift && exec "$@"';
    const r = await run(
      tool('timeout'),
      [
        '-s',
        'KILL',
        '30',
        tool('ip'),
        'netns',
        'exec',
        this.netns,
        tool('unshare'),
        '-m',
        '--propagation',
        'private',
        '--',
        tool('sh'),
        '-c',
        script,
        'sh',
        this.dirs.cmd,
        VPNCMD,
        'localhost:443',
        '/SERVER',
        `/IN:${input}`,
      ],
      { timeoutMs: 35_000, allowFailure: true },
    );
    if (r.code !== 0) {
      throw new Error(`vpncmd failed (exit ${r.code ?? r.signal ?? '?'}):\n${tail(r.stdout + r.stderr, 40)}`);
    }
    return r.stdout;
  }

  private async configure(): Promise<void> {
    const cmds = [
      'HubCreate HUB1 /PASSWORD:hubpass',
      'Hub HUB1',
      `UserCreate ${this.users.username} /GROUP:none /REALNAME:none /NOTE:none`,
      `UserPasswordSet ${this.users.username} /PASSWORD:${this.users.password}`,
      'SecureNatEnable',
      'Hub',
      ...(this.withBridge ? [`BridgeCreate HUB1 /DEVICE:soft /TAP:yes`] : []),
      // Saved now, so that restart() after a SIGKILL finds the same configuration.
      'Flush',
    ];
    const out = await this.vpncmd(cmds);
    const ok = out.split('The command completed successfully.').length - 1;
    if (ok !== cmds.length)
      throw new Error(`vpncmd configuration: ${ok}/${cmds.length} commands succeeded:\n${tail(out, 40)}`);
  }

  private async addressBridge(): Promise<void> {
    // The server creates the tap device asynchronously, and again on every start.
    await waitFor(`${BRIDGE_DEVICE} in netns ${this.netns}`, () => linkExists(BRIDGE_DEVICE, this.netns), 10_000, 20);
    await run(tool('ip'), ['-n', this.netns, 'addr', 'replace', `${BRIDGE_ADDRESS}/24`, 'dev', BRIDGE_DEVICE]);
    await run(tool('ip'), ['-n', this.netns, 'link', 'set', BRIDGE_DEVICE, 'up']);
  }

  private async startNginx(): Promise<void> {
    const d = this.dirs.nginx;
    const www = this.httpRoot ?? join(this.stateDir, 'www');
    mkdirSync(www, { recursive: true, mode: 0o700 });
    // Everything nginx would otherwise put under /var/lib/nginx, /var/log/nginx or /run goes here.
    // One process, no master: the parent-death signal then covers all of nginx, and stopping it
    // leaves no orphaned worker. It runs as root because the state dir is private to root.
    const conf = [
      'daemon off;',
      'master_process off;',
      `pid ${join(d, 'nginx.pid')};`,
      `error_log ${join(d, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      '  tcp_nopush on;',
      '  default_type application/octet-stream;',
      `  client_body_temp_path ${join(d, 'body')};`,
      `  proxy_temp_path ${join(d, 'proxy')};`,
      `  fastcgi_temp_path ${join(d, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(d, 'uwsgi')};`,
      `  scgi_temp_path ${join(d, 'scgi')};`,
      '  server {',
      `    listen ${HTTP_PORT};`,
      `    root ${www};`,
      '  }',
      '}',
      '',
    ].join('\n');
    const confPath = join(d, 'nginx.conf');
    writeFileSync(confPath, conf, { mode: 0o600 });
    const handle = this.spawnInNetns(
      [tool('nginx'), '-e', join(d, 'error.log'), '-p', d, '-c', confPath],
      join(d, 'nginx.out'),
    );
    this.nginx = handle;
    await waitForTcpPort(this.host, HTTP_PORT, {
      timeoutMs: 10_000,
      check: () => {
        if (childDone(handle)) {
          const log = [join(d, 'nginx.out'), join(d, 'error.log')]
            .map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : ''))
            .join('');
          throw new Error(`nginx exited during startup:\n${tail(log)}`);
        }
      },
    });
  }

  private blobInfo(name: string, size: number, sha256: string): BlobInfo {
    return {
      name,
      path: join(this.requireHttpRoot(), name),
      size,
      sha256,
      url: `${this.httpUrl ?? ''}${name}`,
      directUrl: `${this.httpDirectUrl ?? ''}${name}`,
    };
  }

  private requireHttpRoot(): string {
    if (this.httpRoot === undefined) throw new Error('start the server with { http: true } to serve files');
    return this.httpRoot;
  }

  private checkedBlobPath(name: string): string {
    if (!BLOB_NAME.test(name)) throw new Error(`blob name must match ${BLOB_NAME}: ${JSON.stringify(name)}`);
    return join(this.requireHttpRoot(), name);
  }

  async writeBlob(name: string, bytes: Uint8Array): Promise<BlobInfo> {
    const path = this.checkedBlobPath(name);
    await writeFile(path, bytes);
    return this.blobInfo(name, bytes.byteLength, sha256Hex(bytes));
  }

  async writeRandomBlob(name: string, size: number): Promise<BlobInfo> {
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad blob size ${size}`);
    const path = this.checkedBlobPath(name);
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(Math.min(size, 1 << 20));
    const file = await open(path, 'w');
    try {
      for (let left = size; left > 0;) {
        const piece = chunk.subarray(0, Math.min(left, chunk.length));
        randomFillSync(piece);
        hash.update(piece);
        await file.write(piece);
        left -= piece.length;
      }
    } finally {
      await file.close();
    }
    return this.blobInfo(name, size, hash.digest('hex'));
  }

  processes(): Promise<number[]> {
    return netnsPids(this.netns);
  }

  serverOutput(): string {
    try {
      return readFileSync(this.serverOut, 'utf8');
    } catch {
      return '';
    }
  }

  async kill(): Promise<void> {
    await killAndWait(this.server, 'vpnserver');
    this.server = undefined;
  }

  async restart(): Promise<void> {
    if (this.stopping !== undefined) throw new Error('restart() after stop()');
    const t = performance.now();
    await this.kill();
    await this.startServerProcess();
    if (this.withBridge) await this.addressBridge();
    debug(`${this.name}: restarted in ${Math.round(performance.now() - t)} ms`);
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const t = performance.now();
    try {
      await killAndWait(this.nginx, 'nginx');
      await killAndWait(this.server, 'vpnserver');
      // Deleting one end of a veth deletes both, right now; a deleted netns is torn down lazily.
      await deleteLink(this.hostIf);
      await deleteNetns(this.netns);
      if (process.env['CAUSEWAY_HARNESS_KEEP'] !== '1') rmSync(this.stateDir, { recursive: true, force: true });
    } finally {
      rmSync(this.lockPath, { force: true });
      this.unregisterExit();
      debug(`${this.name}: stopped in ${Math.round(performance.now() - t)} ms`);
    }
  }

  /** The exit-hook version of stop(): synchronous, best effort. */
  private stopSync(): void {
    killGroup(this.nginx);
    killGroup(this.server);
    runSyncQuiet(tool('ip'), ['link', 'delete', 'dev', this.hostIf]);
    deleteNetnsSync(this.netns);
    if (process.env['CAUSEWAY_HARNESS_KEEP'] !== '1') rmSync(this.stateDir, { recursive: true, force: true });
    rmSync(this.lockPath, { force: true });
  }
}

/** Starts a configured SoftEther SSTP server (see the top of this file); stop() it when done. */
export async function startSoftEther(opts: SoftEtherOptions = {}): Promise<SoftEtherServer> {
  const check = canRunIntegration();
  if (!check.ok) throw new Error(`cannot start SoftEther: ${check.why}`);
  const name = opts.name ?? DEFAULT_NAME;
  // veth names get a two-character suffix and must fit IFNAMSIZ (15 characters).
  if (!/^[a-z][a-z0-9-]{0,11}$/.test(name))
    throw new Error(`bad server name ${JSON.stringify(name)}: [a-z][a-z0-9-]{0,11}`);
  const http = opts.http ?? false;
  const bridge = (opts.bridge ?? false) || http;
  const t0 = performance.now();
  const root = harnessRoot();
  const binary = ensurePatchedVpnserver(root);
  const patchMs = Math.round(performance.now() - t0);
  const lockStart = performance.now();
  const lockPath = await acquireNameLock(root, name);
  const lockWaitMs = Math.round(performance.now() - lockStart);
  const instance = new SoftEtherInstance(name, binary, lockPath, bridge, http, root);
  instance.timings['patched binary'] = patchMs;
  instance.timings['lock wait'] = lockWaitMs;
  try {
    await instance.start();
    // Time spent queueing behind another process using the same name is not startup.
    instance.startupMs = Math.round(performance.now() - t0) - lockWaitMs;
  } catch (error) {
    await instance.stop().catch(() => undefined);
    throw error;
  }
  return instance;
}
