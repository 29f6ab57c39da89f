// Small process and network-namespace utilities for the integration harness.
// Every command is an executable plus an argument array: no shell ever sees harness data.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

export function debugEnabled(): boolean {
  return process.env['CAUSEWAY_HARNESS_DEBUG'] === '1';
}

/** Harness progress goes to stderr, and only on request, so test output stays clean. */
export function debug(message: string): void {
  if (debugEnabled()) process.stderr.write(`[harness ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
}

const resolved = new Map<string, string>();

/** Absolute path of an executable, or undefined. Looks beyond PATH: test runners may trim it. */
export function findExecutable(name: string): string | undefined {
  const cached = resolved.get(name);
  if (cached !== undefined) return cached;
  const dirs = [
    ...(process.env['PATH'] ?? '').split(delimiter),
    '/usr/local/sbin',
    '/usr/sbin',
    '/sbin',
    '/usr/bin',
    '/bin',
  ];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (!statSync(candidate).isFile()) continue;
      resolved.set(name, candidate);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Like findExecutable, but throws. */
export function tool(name: string): string {
  const found = findExecutable(name);
  if (found === undefined) throw new Error(`${name} not found in PATH or the sbin folders`);
  return found;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  /** Kill the command (SIGKILL) after this long; the promise then rejects. Default 30 s. */
  timeoutMs?: number;
  /** Resolve with a non-zero exit instead of rejecting. */
  allowFailure?: boolean;
  cwd?: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: readonly string[],
    readonly result: RunResult,
    why: string,
  ) {
    super(`${command.join(' ')}: ${why}${result.stderr.trim() ? `\n${result.stderr.trim()}` : ''}`);
    this.name = 'CommandError';
  }
}

/** Runs a command to completion with stdin closed (tools such as vpncmd wait forever on an open stdin). */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const command = [file, ...args];
  debug(`$ ${command.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
        signal,
      };
      if (timedOut) reject(new CommandError(command, result, `timed out after ${timeoutMs} ms`));
      else if (code !== 0 && !options.allowFailure)
        reject(new CommandError(command, result, `exit ${code ?? signal ?? '?'}`));
      else resolve(result);
    });
  });
}

/** Synchronous variant, only for exit handlers where the event loop no longer runs. Never throws. */
export function runSyncQuiet(file: string, args: readonly string[]): RunResult {
  const r = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, encoding: 'utf8' });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.status, signal: r.signal };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- network namespaces -------------------------------------------------------------------------

export async function listNetns(): Promise<string[]> {
  const r = await run(tool('ip'), ['netns', 'list'], { allowFailure: true });
  // Lines look like "name" or "name (id: 3)".
  return r.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

export async function netnsExists(name: string): Promise<boolean> {
  return (await listNetns()).includes(name);
}

/** Creates a network namespace with its loopback up. */
export async function createNetns(name: string): Promise<void> {
  await run(tool('ip'), ['netns', 'add', name]);
  await run(tool('ip'), ['-n', name, 'link', 'set', 'lo', 'up']);
}

export async function netnsPids(name: string): Promise<number[]> {
  const r = await run(tool('ip'), ['netns', 'pids', name], { allowFailure: true });
  return parsePids(r.stdout);
}

function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** True while `pid` runs. A zombie counts as gone: it holds nothing, and when its parent died
 * before it (nginx workers killed with their master) only init can reap it, in its own time. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM means it exists but is not ours; as root that does not happen, elsewhere it still means alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Waits until none of `pids` is alive; false if some survive `timeoutMs`. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((pid) => !isAlive(pid))) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

/**
 * Removes a namespace and everything running in it: processes are SIGKILLed first, because a
 * namespace whose name is deleted lives on (with its veth and addresses) as long as a process holds it.
 */
export async function deleteNetns(name: string): Promise<void> {
  if (!(await netnsExists(name))) return;
  const pids = await netnsPids(name);
  for (const pid of pids) killQuietly(pid, 'SIGKILL');
  if (!(await waitForExit(pids, 5_000))) debug(`netns ${name}: processes still alive after SIGKILL: ${pids.join(' ')}`);
  await run(tool('ip'), ['netns', 'delete', name], { allowFailure: true });
}

/** Exit-handler form of deleteNetns. */
export function deleteNetnsSync(name: string): void {
  const pids = parsePids(runSyncQuiet(tool('ip'), ['netns', 'pids', name]).stdout);
  for (const pid of pids) killQuietly(pid, 'SIGKILL');
  runSyncQuiet(tool('ip'), ['netns', 'delete', name]);
}

// --- links --------------------------------------------------------------------------------------

export async function linkExists(ifname: string, netns?: string): Promise<boolean> {
  const ns = netns === undefined ? [] : ['-n', netns];
  const r = await run(tool('ip'), [...ns, 'link', 'show', 'dev', ifname], { allowFailure: true });
  return r.code === 0;
}

export async function deleteLink(ifname: string, netns?: string): Promise<void> {
  if (!(await linkExists(ifname, netns))) return;
  const ns = netns === undefined ? [] : ['-n', netns];
  await run(tool('ip'), [...ns, 'link', 'delete', 'dev', ifname], { allowFailure: true });
}

export interface VethSpec {
  /** Interface left in the current (host) namespace. */
  hostIf: string;
  /** Address with prefix for hostIf, e.g. "10.200.0.2/24". */
  hostCidr: string;
  /** Interface moved into `netns`. */
  nsIf: string;
  nsCidr: string;
  netns: string;
}

/** A veth pair joining the host namespace to `netns`, both ends addressed and up. */
export async function createVethPair(spec: VethSpec): Promise<void> {
  // Creating the peer directly inside the namespace saves a separate "set netns" step.
  await run(tool('ip'), ['link', 'add', spec.hostIf, 'type', 'veth', 'peer', 'name', spec.nsIf, 'netns', spec.netns]);
  await run(tool('ip'), ['addr', 'add', spec.hostCidr, 'dev', spec.hostIf]);
  await run(tool('ip'), ['link', 'set', spec.hostIf, 'up']);
  await run(tool('ip'), ['-n', spec.netns, 'addr', 'add', spec.nsCidr, 'dev', spec.nsIf]);
  await run(tool('ip'), ['-n', spec.netns, 'link', 'set', spec.nsIf, 'up']);
}

/** IPv4 addresses (with prefix) per interface in the current namespace, or in `netns`. */
export async function ipv4Addresses(netns?: string): Promise<{ ifname: string; cidr: string }[]> {
  const ns = netns === undefined ? [] : ['-n', netns];
  const r = await run(tool('ip'), [...ns, '-4', '-o', 'addr', 'show'], { allowFailure: true });
  const out: { ifname: string; cidr: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    // "4: eth0    inet 192.0.2.2/24 brd ..." — interface names may carry "@peer".
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+(\S+)/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.push({ ifname: m[1], cidr: m[2] });
  }
  return out;
}

// --- running inside a namespace -----------------------------------------------------------------

/** Runs a command inside `netns` (through `ip netns exec`, which execs without a shell). */
export function runInNetns(
  netns: string,
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return run(tool('ip'), ['netns', 'exec', netns, file, ...args], options);
}

// --- waiting for services -----------------------------------------------------------------------

function tryConnect(host: string, port: number, attemptMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(attemptMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitForTcpOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Called between attempts; a thrown error ends the wait early (e.g. "the server process exited"). */
  check?: () => void;
}

/** Polls until a TCP connect to host:port (from this process's namespace) succeeds. */
export async function waitForTcpPort(host: string, port: number, options: WaitForTcpOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    options.check?.();
    if (await tryConnect(host, port, Math.min(1_000, timeoutMs))) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Polls `predicate` until it is true. */
export async function waitFor(
  what: string,
  predicate: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
