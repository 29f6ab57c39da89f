// A long-running `causeway` process (e.g. `connect`) whose JSON-line events a test can wait for.
import { spawn, type ChildProcess } from 'node:child_process';
import { CAUSEWAY_BIN } from './run-cli.js';

export interface CliProcess {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  /** Resolves with the first event (already seen or future) that matches, at or after index `from`. */
  waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs: number, from?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  output(): string;
}

export function startCliProcess(prefix: readonly string[], args: readonly string[], stdin: string, env: NodeJS.ProcessEnv = process.env): CliProcess {
  const [command, ...rest] = [...prefix, process.execPath, CAUSEWAY_BIN, ...args];
  const child = spawn(command ?? process.execPath, rest, { stdio: ['pipe', 'pipe', 'pipe'], env });
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let out = '';
  let err = '';
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not JSON */
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin?.end(stdin);
  const output = () => `stdout:\n${out}\nstderr:\n${err}`;
  return {
    child,
    events,
    exited,
    output,
    waitFor(pred, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.slice(from).find(pred);
          if (!hit) return false;
          cleanup();
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching event within ${timeoutMs} ms\n${output()}`));
        }, timeoutMs);
        const onExit = () => {
          if (!check()) {
            cleanup();
            reject(new Error(`causeway exited before the event\n${output()}`));
          }
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          child.off('exit', onExit);
        };
        const waiter = () => void check();
        if (check()) return;
        waiters.add(waiter);
        child.on('exit', onExit);
      });
    },
  };
}
