// An upload sink inside a network namespace (usually a SoftEther server's, so it is reachable through
// the tunnel at 192.168.30.5 and directly at the veth address): PUT or POST anything, get back its
// length and sha256. A small Node process (upload-sink-main.ts) rather than nginx, because nginx
// answers a discarded body before it has read it, and then neither timing nor a hash is honest.
import { fileURLToPath } from 'node:url';
import { onProcessExit } from './cleanup.js';
import { tool } from './netns.js';
import { spawnJsonChild } from '../support/json-child.js';

const MAIN = fileURLToPath(new URL('./upload-sink-main.ts', import.meta.url));

export interface UploadSinkOptions {
  netns: string;
  /** Plain HTTP port. Default 8081. */
  port?: number;
  /** Also HTTPS on this port, with this certificate and key (PEM files). */
  tls?: { port: number; certPath: string; keyPath: string };
}

export interface UploadSink {
  readonly port: number;
  readonly tlsPort?: number;
  /** The sink's process (for CPU accounting). */
  readonly pid: number;
  /** Stops it (idempotent). */
  stop(): Promise<void>;
}

export interface UploadResult {
  bytes: number;
  sha256: string;
}

/** Parses the sink's answer (curl's body). */
export function parseUploadResult(text: string): UploadResult {
  const v = JSON.parse(text) as Partial<UploadResult>;
  if (typeof v.bytes !== 'number' || typeof v.sha256 !== 'string')
    throw new Error(`not an upload sink answer: ${text.slice(0, 200)}`);
  return { bytes: v.bytes, sha256: v.sha256 };
}

export async function startUploadSink(opts: UploadSinkOptions): Promise<UploadSink> {
  const port = opts.port ?? 8081;
  const tlsArgs = opts.tls === undefined ? [] : [String(opts.tls.port), opts.tls.certPath, opts.tls.keyPath];
  // setpriv's parent-death signal and the open stdin both end the sink if we die.
  const child = spawnJsonChild(
    tool('ip'),
    [
      'netns',
      'exec',
      opts.netns,
      tool('setpriv'),
      '--pdeathsig',
      'KILL',
      '--',
      process.execPath,
      '--import',
      'tsx',
      MAIN,
      String(port),
      ...tlsArgs,
    ],
    '',
    { keepStdinOpen: true, detached: true },
  );
  const kill = (): void => {
    if (child.child.pid !== undefined && child.child.exitCode === null && child.child.signalCode === null) {
      try {
        process.kill(-child.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  const unregister = onProcessExit(kill);
  try {
    await child.waitFor((e) => e['event'] === 'listening', 15_000);
  } catch (e) {
    kill();
    unregister();
    throw e;
  }
  const pid = child.child.pid;
  if (pid === undefined) throw new Error('upload sink without a pid');
  let stopped: Promise<void> | undefined;
  return {
    port,
    ...(opts.tls === undefined ? {} : { tlsPort: opts.tls.port }),
    pid,
    stop() {
      stopped ??= (async () => {
        child.child.kill('SIGTERM');
        const timer = setTimeout(kill, 3_000);
        await child.exited;
        clearTimeout(timer);
        unregister();
      })();
      return stopped;
    },
  };
}
