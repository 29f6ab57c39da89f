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
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { onProcessExit } from './cleanup.js';
import { childDone, killAndWait, killGroup, spawnInNetns, tail, type ChildHandle } from './detached-child.js';
import { canRunIntegration } from './integration-check.js';
import {
  createNetns,
  createVethPair,
  debug,
  deleteLink,
  deleteNetns,
  deleteNetnsSync,
  ipv4Addresses,
  linkExists,
  netnsPids,
  run,
  runSyncQuiet,
  tool,
  waitFor,
  waitForTcpPort,
} from './netns.js';
import { writeBlob, writeRandomBlob, type BlobPlace } from './softether-blobs.js';
import { vpnServerConfig } from './softether-config.js';
import { acquireNameLock } from './softether-lock.js';
import { startNginx } from './softether-nginx.js';
import type { BlobInfo, SoftEtherOptions, SoftEtherServer } from './softether-types.js';
import { daemonMounts, SOFTETHER_DIRS, withPrivateMounts } from './softether-mounts.js';
import { runVpncmd } from './softether-vpncmd.js';
import { harnessRoot } from './state.js';
import { ensurePatchedVpnserver } from './vpnserver-patch.js';

// The pieces live beside this file; tests import them all from here.
export { canRunIntegration, integrationSkip, requireRoot, type IntegrationCheck } from './integration-check.js';
export type { BlobInfo, SoftEtherOptions, SoftEtherServer } from './softether-types.js';
export { VPNCMD } from './softether-vpncmd.js';

const SERVER_NAME = 'sstp.example.test';
const BRIDGE_ADDRESS = '192.168.30.5';
const BRIDGE_DEVICE = 'tap_soft';
const HTTP_PORT = 8080;
const DEFAULT_NAME = 'cw-srv';

function subnetOctet(name: string): number {
  if (name === DEFAULT_NAME) return 0;
  // FNV-1a keeps names stable across runs, so a crashed run's leftovers are found under the same name.
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(name)) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
  return 1 + (h % 254);
}

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

  private async startServerProcess(): Promise<void> {
    const handle = spawnInNetns(
      this.netns,
      withPrivateMounts(daemonMounts(this.dirs, join(this.stateDir, 'resolv.conf')), [
        this.binary,
        'start',
        '--foreground',
      ]),
      this.serverOut,
      this.stateDir,
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

  vpncmd(cmds: readonly string[]): Promise<string> {
    this.vpncmdCount += 1;
    return runVpncmd(this.netns, this.dirs.cmd, this.vpncmdCount, cmds);
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
    this.nginx = await startNginx({
      netns: this.netns,
      host: this.host,
      port: HTTP_PORT,
      dir: this.dirs.nginx,
      www: this.httpRoot ?? join(this.stateDir, 'www'),
      cwd: this.stateDir,
    });
  }

  private get blobs(): BlobPlace {
    return { root: this.httpRoot, url: this.httpUrl, directUrl: this.httpDirectUrl };
  }

  writeBlob(name: string, bytes: Uint8Array): Promise<BlobInfo> {
    return writeBlob(this.blobs, name, bytes);
  }

  writeRandomBlob(name: string, size: number): Promise<BlobInfo> {
    return writeRandomBlob(this.blobs, name, size);
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
