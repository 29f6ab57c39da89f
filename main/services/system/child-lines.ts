// A long-running watcher child (gdbus monitor, ip monitor): its stdout as lines, its end as one
// typed reason. Spawning is injectable so the parsers are tested on recorded output.
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';

export type SpawnWatcher = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => ChildProcess;

export const spawnWatcher: SpawnWatcher = (file, args, env) =>
  nodeSpawn(file, [...args], { env, stdio: ['ignore', 'pipe', 'ignore'] });

export interface WatcherChild {
  stop(): void;
}

/**
 * Runs `file args`, calling onLine for each line of its output and onEnd once when it ends on its own
 * (missing program, no bus, killed): why, in words for the log.
 */
export function watchLines(
  spawn: SpawnWatcher,
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
  onEnd: (why: string) => void,
): WatcherChild {
  let stopped = false;
  let ended = false;
  const end = (why: string) => {
    if (stopped || ended) return;
    ended = true;
    onEnd(why);
  };
  const child = spawn(file, args, env);
  let buf = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buf += chunk;
    // A child that never ends a line must not grow this without bound.
    if (buf.length > 65_536) buf = buf.slice(-4096);
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!stopped) onLine(line);
    }
  });
  child.once('error', (e: NodeJS.ErrnoException) =>
    end(e.code === 'ENOENT' ? `${file} is not installed` : `${file} could not start: ${e.message}`),
  );
  child.once('exit', (code, signal) => end(`${file} exited (${signal ?? `code ${String(code)}`})`));
  return {
    stop() {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
