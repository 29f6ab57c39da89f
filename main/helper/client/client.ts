// The unprivileged side: starts the helper, then offers one typed async method per verb.
// Expected failures come back as HelperError with a code; the helper's own refusals keep theirs.
// The helper's stdin is one end of a Unix socket pair we make (requests go out on it, TUN
// descriptors come back on it, read by the addon: Node never reads our end); answers and logs
// come on stdout and stderr pipes.
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { describe, type Check } from '../check.js';
import { tunAddon, type TunAddon } from '../../engine/tun/native-addon.js';
import type { LaunchSpec } from './launch.js';
import { LineSplitter } from '../line-splitter.js';
import type {
  configureRequest,
  createTunRequest,
  killSwitchArmRequest,
  openTunRequest,
  setDnsRequest,
  setIpv6Request,
  setRoutesRequest,
} from '../protocol.js';
import {
  configureResult,
  createTunResult,
  helloResult,
  killSwitchArmResult,
  killSwitchDisarmResult,
  openTunResult,
  PROTOCOL_VERSION,
  response,
  setDnsResult,
  setIpv6Result,
  setRoutesResult,
  teardownResult,
  type CreateTunResult,
  type HelloResult,
  type KillSwitchArmResult,
  type KillSwitchDisarmResult,
  type RemoteErrorCode,
  type RequestInput,
  type SetDnsResult,
  type SetRoutesResult,
  type TeardownResult,
  type Verb,
} from '../protocol.js';

export type HelperErrorCode =
  | RemoteErrorCode
  /** No answer in time. */
  | 'timeout'
  /** The helper is gone (or went away while we waited). */
  | 'exited'
  /** The user declined or failed polkit authentication. */
  | 'not-authorized'
  /** It could not be started at all. */
  | 'launch-failed'
  /** It answered something we do not understand (wrong version, malformed line). */
  | 'protocol';

export class HelperError extends Error {
  constructor(
    readonly code: HelperErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HelperError';
  }
}

export interface HelperClientOptions {
  /** Per request. Default 15 s. */
  readonly requestTimeoutMs?: number;
  /** Until the first answer; includes the user typing a password into polkit. Default 120 s. */
  readonly startTimeoutMs?: number;
  /** The helper's stderr, line by line. */
  readonly onLog?: (line: string) => void;
  /**
   * The socket pair for the helper's stdin; made by start() by default. The helper hands TUNs only
   * to the socket's maker (its peer credentials), so a launcher standing in for pkexec makes it as
   * the user it launches for. start() takes over both ends.
   */
  readonly channel?: HelperChannel;
}

/** A connected socket pair: `ours` stays here, `theirs` becomes the helper's stdin. */
export interface HelperChannel {
  readonly ours: number;
  readonly theirs: number;
}

/** A TUN descriptor received from the helper: the caller owns `fd` (attachTun takes it over). */
export interface HandedOverTun {
  readonly name: string;
  readonly fd: number;
  /** Opened with IFF_VNET_HDR (the engine's attach asks the kernel again anyway). */
  readonly vnet: boolean;
}

/** Makes the socket pair start() would make, as whoever calls this now (see HelperClientOptions.channel). */
export function helperChannel(): HelperChannel {
  const addon = loadAddon();
  const [ours, theirs] = addon.socketpair();
  return { ours, theirs };
}

function loadAddon(): TunAddon {
  const loaded = tunAddon();
  if (!loaded.ok) throw new HelperError('launch-failed', loaded.message);
  return loaded.addon;
}

interface Pending {
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (error: HelperError) => void;
  readonly timer: NodeJS.Timeout;
}

export type HelperExit = { readonly code: number | null; readonly signal: NodeJS.Signals | null };

export class HelperClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exit: HelperExit | undefined;
  private answered = false;
  private readonly exitWaiters: ((exit: HelperExit) => void)[] = [];
  private readonly requestTimeoutMs: number;

  private constructor(
    private readonly child: ChildProcess,
    private readonly spec: LaunchSpec,
    private readonly options: HelperClientOptions,
    private readonly addon: TunAddon,
    private readonly channelFd: number,
    private readonly requests: Socket,
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    const lines = new LineSplitter(1024 * 1024);
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of lines.push(chunk)) this.onLine(line.kind === 'line' ? line.text : undefined);
    });
    const logs = new LineSplitter(64 * 1024);
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of logs.push(chunk)) if (line.kind === 'line') options.onLog?.(line.text);
    });
    requests.on('error', () => {}); // EPIPE when it died; 'exit' reports that
    child.on('exit', (code, signal) => this.onExit({ code, signal }));
  }

  /** Starts the helper and checks it speaks our protocol. */
  static async start(spec: LaunchSpec, options: HelperClientOptions = {}): Promise<HelperClient> {
    const addon = loadAddon();
    let channel: HelperChannel;
    try {
      channel = options.channel ?? helperChannel();
    } catch (e) {
      throw new HelperError(
        'launch-failed',
        `cannot make the helper's socket: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    let child: ChildProcess;
    try {
      child = spawn(spec.command, [...spec.args], {
        stdio: [channel.theirs, 'pipe', 'pipe'],
        env: { ...process.env, ...spec.env },
      });
    } catch (e) {
      addon.closeFd(channel.theirs);
      addon.closeFd(channel.ours);
      throw new HelperError(
        'launch-failed',
        `cannot start ${spec.command}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    // The child has its own copy now; ours would keep its stdin open after we are gone.
    addon.closeFd(channel.theirs);
    // Node writes our requests; it must never read this end, or a descriptor sent on it would be lost.
    const requests = new Socket({ fd: channel.ours, readable: false, writable: true });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) =>
        reject(new HelperError('launch-failed', `cannot start ${spec.command}: ${e.message}`)),
      );
    });
    try {
      await spawned;
    } catch (e) {
      requests.destroy();
      throw e;
    }
    const client = new HelperClient(child, spec, options, addon, channel.ours, requests);
    try {
      const hello = await client.call('hello', {}, helloResult, options.startTimeoutMs ?? 120_000);
      if (hello.protocol !== PROTOCOL_VERSION) {
        throw new HelperError('protocol', `helper speaks protocol ${hello.protocol}, we speak ${PROTOCOL_VERSION}`);
      }
    } catch (e) {
      await client.close(2_000);
      throw e;
    }
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves when the helper process has exited. */
  exited(): Promise<HelperExit> {
    if (this.exit !== undefined) return Promise.resolve(this.exit);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  hello(): Promise<HelloResult> {
    return this.call('hello', {}, helloResult);
  }

  createTun(args: RequestInput<typeof createTunRequest>): Promise<CreateTunResult> {
    return this.call('create-tun', args, createTunResult);
  }

  /**
   * Has the helper open the TUN it created and receives its descriptor, which the caller then owns
   * (attachTun takes it over; closeTun() if it is never attached).
   */
  async openTun(args: RequestInput<typeof openTunRequest>): Promise<HandedOverTun> {
    this.dropStaleTuns();
    const r = await this.call('open-tun', args, openTunResult);
    if (this.requests.destroyed) throw this.exitError();
    let got: { fd: number; tag: string };
    try {
      // Sent before the answer was written, so it is here already: no waiting.
      got = this.addon.recvFd(this.channelFd);
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'error';
      throw new HelperError('protocol', `open-tun: no descriptor came with the answer (${code})`);
    }
    if (got.tag !== r.name) {
      this.addon.closeFd(got.fd);
      throw new HelperError(
        'protocol',
        `open-tun: asked for ${r.name}, handed ${JSON.stringify(got.tag.slice(0, 16))}`,
      );
    }
    return { name: r.name, fd: got.fd, vnet: r.vnet };
  }

  /** A hand-over whose answer we stopped waiting for (timeout) may have arrived since: not for this request. */
  private dropStaleTuns(): void {
    for (let i = 0; i < 8 && !this.requests.destroyed; i++) {
      try {
        this.addon.closeFd(this.addon.recvFd(this.channelFd).fd);
      } catch {
        return; // EAGAIN: nothing (more) waiting
      }
    }
  }

  /** Closes a handed-over descriptor that was never attached. */
  closeTun(tun: HandedOverTun): void {
    this.addon.closeFd(tun.fd);
  }

  async configure(args: RequestInput<typeof configureRequest>): Promise<void> {
    await this.call('configure', args, configureResult);
  }

  setRoutes(args: RequestInput<typeof setRoutesRequest>): Promise<SetRoutesResult> {
    return this.call('set-routes', args, setRoutesResult);
  }

  setDns(args: RequestInput<typeof setDnsRequest>): Promise<SetDnsResult> {
    return this.call('set-dns', args, setDnsResult);
  }

  /** The TUN's IPv6 addresses (link-local, SLAAC global); without linkLocal, IPv6 is gone. */
  async setIpv6(args: RequestInput<typeof setIpv6Request>): Promise<void> {
    await this.call('set-ipv6', args, setIpv6Result);
  }

  teardown(): Promise<TeardownResult> {
    return this.call('teardown', {}, teardownResult, 30_000);
  }

  /** Blocks everything but the tunnel and these endpoints until killSwitchDisarm(), even past our exit. */
  killSwitchArm(args: RequestInput<typeof killSwitchArmRequest>): Promise<KillSwitchArmResult> {
    return this.call('kill-switch-arm', args, killSwitchArmResult);
  }

  /** The user's disconnect (or a run with the switch off): removes the block, a crashed run's included. */
  killSwitchDisarm(): Promise<KillSwitchDisarmResult> {
    return this.call('kill-switch-disarm', {}, killSwitchDisarmResult);
  }

  /**
   * Ends the helper's stdin, which makes it undo everything and exit. Waits up to timeoutMs;
   * a helper we started directly is then sent SIGTERM (one behind pkexec is root's to signal).
   */
  async close(timeoutMs = 10_000): Promise<HelperExit | undefined> {
    if (this.exit !== undefined) return this.exit;
    this.requests.end();
    const exit = await Promise.race([this.exited(), delay(timeoutMs)]);
    if (exit !== undefined || this.spec.viaPolkit) return exit;
    this.child.kill('SIGTERM');
    return Promise.race([this.exited(), delay(2_000)]);
  }

  private call<T>(verb: Verb, args: object, check: Check<T, unknown>, timeoutMs = this.requestTimeoutMs): Promise<T> {
    if (this.exit !== undefined) return Promise.reject(this.exitError());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HelperError('timeout', `${verb}: no answer from the helper within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (result) => {
          const parsed = check(result, 'result');
          if (parsed.ok) resolve(parsed.value);
          else reject(new HelperError('protocol', `${verb}: unexpected result from the helper (${describe(parsed)})`));
        },
        reject,
        timer,
      });
      this.requests.write(`${JSON.stringify({ ...args, id, verb })}\n`);
    });
  }

  private onLine(text: string | undefined): void {
    let parsed;
    try {
      parsed = text === undefined ? undefined : response(JSON.parse(text), '');
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !parsed.ok) {
      this.options.onLog?.('unreadable line from the helper');
      return;
    }
    this.answered = true;
    const r = parsed.value;
    const waiter = r.id === null ? undefined : this.pending.get(r.id);
    if (waiter === undefined || r.id === null) return;
    this.pending.delete(r.id);
    clearTimeout(waiter.timer);
    if (r.ok) waiter.resolve(r.result);
    else waiter.reject(new HelperError(r.error.code, r.error.message));
  }

  private onExit(exit: HelperExit): void {
    this.exit = exit;
    this.requests.destroy();
    const error = this.exitError();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
    for (const w of this.exitWaiters.splice(0)) w(exit);
  }

  private exitError(): HelperError {
    const exit = this.exit;
    const how =
      exit === undefined
        ? 'is not running'
        : exit.signal !== null
          ? `was killed by ${exit.signal}`
          : `exited with ${exit.code}`;
    // pkexec: 126 = the user dismissed the dialog / not authorized, 127 = authentication failed.
    if (this.spec.viaPolkit && !this.answered && (exit?.code === 126 || exit?.code === 127)) {
      return new HelperError('not-authorized', 'authorization for the network helper was refused');
    }
    return new HelperError('exited', `the helper ${how}`);
  }
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
