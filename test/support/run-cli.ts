// Runs the built `causeway` command as a user would, feeding the password on stdin.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CAUSEWAY_BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON lines (lines that are not JSON are skipped). */
  readonly events: readonly Record<string, unknown>[];
  /** The last JSON line, the result with --json. */
  readonly result: Record<string, unknown> | undefined;
}

export function runCli(
  args: readonly string[],
  stdin: string | undefined,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CAUSEWAY_BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `causeway ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 90_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events: Record<string, unknown>[] = [];
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          events.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* not a JSON line */
        }
      }
      resolve({ code, stdout, stderr, events, result: events.at(-1) });
    });
    if (stdin !== undefined) child.stdin.end(stdin);
    else child.stdin.end();
  });
}
