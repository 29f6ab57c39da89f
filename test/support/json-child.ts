// A long-running child process that prints JSON lines (e.g. `causeway connect --json`), whose
// events a test or benchmark can wait for.
import { spawn, type ChildProcess } from 'node:child_process';

export interface JsonChild {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  waitFor(
    pred: (e: Record<string, unknown>) => boolean,
    timeoutMs: number,
    from?: number,
  ): Promise<Record<string, unknown>>;
  send(line: string): void;
  readonly exited: Promise<number | null>;
  output(): string;
}

export interface JsonChildOptions {
  /** Keep stdin open after `stdinFirst` (to send() more lines later). */
  readonly keepStdinOpen?: boolean;
  /** Own process group: a Ctrl-C in the terminal reaches us, and we decide how the child stops. */
  readonly detached?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export function spawnJsonChild(
  command: string,
  args: readonly string[],
  stdinFirst: string,
  opts: JsonChildOptions = {},
): JsonChild {
  const child = spawn(command, [...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: opts.detached === true,
    env: opts.env ?? process.env,
  });
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let out = '';
  let err = '';
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const text = d.toString();
    out += text;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr?.on('data', (d: Buffer) => {
    if (err.length < 200_000) err += d.toString();
  });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const onExitWaiters = (): void => {
    for (const w of [...waiters]) w();
  };
  child.on('exit', onExitWaiters);
  if (opts.keepStdinOpen) child.stdin?.write(stdinFirst);
  else child.stdin?.end(stdinFirst);
  const output = (): string => `stdout:\n${out.slice(-4000)}\nstderr:\n${err.slice(-4000)}`;
  return {
    child,
    events,
    exited,
    output,
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    waitFor(pred, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = events.slice(from).find(pred);
          if (hit !== undefined) {
            cleanup();
            resolve(hit);
            return true;
          }
          if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(
              new Error(
                `${command} exited (${child.exitCode ?? child.signalCode ?? '?'}) before the expected event\n${output()}`,
              ),
            );
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no expected event within ${timeoutMs} ms\n${output()}`));
        }, timeoutMs);
        const waiter = (): void => void check();
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        if (!check()) waiters.add(waiter);
      });
    },
  };
}
