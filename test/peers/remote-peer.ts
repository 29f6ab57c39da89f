// The parent's side of peer-process.ts: start the strict peer in a child process and follow what it
// reports. Only what a measuring test needs: address and pin, events (high-volume ones as counts).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PeerEvent, PeerEventKind } from './events.js';
import type { FromChild, ToChild } from './peer-process.js';
import type { PartialScript } from './script.js';

export interface RemotePeer {
  readonly host: string;
  readonly port: number;
  readonly certSha256: string;
  /** The peer process, e.g. to give it a priority while a test measures. */
  readonly pid: number;
  readonly events: readonly PeerEvent[];
  count(kind: PeerEventKind): number;
  /** Resolves when `ok()` holds after some report from the child (timeout only as a safety net). */
  until(ok: () => boolean, timeoutMs: number): Promise<void>;
  /** Stops the peer and its process; the peer's violations. */
  stop(): Promise<readonly string[]>;
}

export async function startRemotePeer(script: PartialScript): Promise<RemotePeer> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./peer-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const events: PeerEvent[] = [];
  let counts: Partial<Record<PeerEventKind, number>> = {};
  const checks = new Set<() => void>();
  let stopped: ((v: readonly string[]) => void) | undefined;
  const started = new Promise<Extract<FromChild, { type: 'started' }>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the peer process exited (${code}) before it started`)));
    child.on('message', (m: FromChild) => {
      if (m.type === 'started') resolve(m);
      else if (m.type === 'event') events.push(m.event);
      else if (m.type === 'counts') counts = m.counts;
      else stopped?.(m.violations);
      for (const c of checks) c();
    });
  });
  child.send({ type: 'start', script } satisfies ToChild);
  const s = await started;
  const count = (kind: PeerEventKind) => counts[kind] ?? events.filter((e) => e.kind === kind).length;
  return {
    host: s.host,
    port: s.port,
    certSha256: s.certSha256,
    pid: child.pid ?? 0,
    events,
    count,
    until(ok, timeoutMs) {
      if (ok()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          checks.delete(check);
          reject(new Error(`the peer did not report the awaited state within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (!ok()) return;
          clearTimeout(timer);
          checks.delete(check);
          resolve();
        };
        checks.add(check);
      });
    },
    stop() {
      return new Promise<readonly string[]>((resolve) => {
        if (child.exitCode !== null) return resolve([]);
        stopped = resolve;
        child.once('exit', () => resolve([]));
        child.send({ type: 'stop' } satisfies ToChild);
      });
    },
  };
}
