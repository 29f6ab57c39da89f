// A long-running `causeway` process (e.g. `connect`) whose JSON-line events a test can wait for.
import { spawnJsonChild, type JsonChild } from './json-child.js';
import { CAUSEWAY_BIN } from './run-cli.js';

export type CliProcess = JsonChild;

/** `prefix` runs before node (e.g. ['ip', 'netns', 'exec', name]); the password goes to stdin. */
export function startCliProcess(
  prefix: readonly string[],
  args: readonly string[],
  stdin: string,
  env: NodeJS.ProcessEnv = process.env,
): CliProcess {
  const [command, ...rest] = [...prefix, process.execPath, CAUSEWAY_BIN, ...args];
  return spawnJsonChild(command ?? process.execPath, rest, stdin, { env });
}
