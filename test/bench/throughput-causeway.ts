// Causeway's own two clients in the benchmark: `causeway connect` (the CLI from dist/) and the same
// engine in-process (throughput-runner.ts, which answers "mark"/"report" on stdin with event-loop lag
// and pump counters). Each runs in its client netns and speaks JSON lines.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientNetns } from '../harness/client-netns.js';
import { tool } from '../harness/netns.js';
import { spawnJsonChild, type JsonChild } from '../support/json-child.js';
import { CAUSEWAY_BIN } from '../support/run-cli.js';

const RUNNER = fileURLToPath(new URL('./throughput-runner.ts', import.meta.url));

/** `node --cpu-prof` into profileDir/sub, or nothing when not profiling. */
function nodeArgs(profileDir: string | undefined, profileSub: string): string[] {
  if (profileDir === undefined) return [];
  const dir = join(profileDir, profileSub);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200'];
}

/**
 * Node in the client netns, with the password on stdin. setpriv: if we die, the child gets SIGTERM
 * and tears its tunnel down itself.
 */
function nodeInNetns(ns: ClientNetns, node: readonly string[], keepStdinOpen: boolean): JsonChild {
  return spawnJsonChild(
    tool('ip'),
    ['netns', 'exec', ns.name, tool('setpriv'), '--pdeathsig', 'TERM', '--', process.execPath, ...node],
    'testpass\n',
    { detached: true, ...(keepStdinOpen ? { keepStdinOpen } : {}) },
  );
}

export function startCli(ns: ClientNetns, profileDir: string | undefined): JsonChild {
  const connect = ['connect', ns.serverAddress, '--user', 'testuser', '--password-stdin', '--insecure'];
  return nodeInNetns(
    ns,
    [...nodeArgs(profileDir, 'cli'), CAUSEWAY_BIN, ...connect, '--json', '--no-dns', '--interface', 'cwbench0'],
    false,
  );
}

/** Its stdin stays open: "mark", "report" and "stop" go that way. */
export function startEngine(ns: ClientNetns, profileDir: string | undefined): JsonChild {
  return nodeInNetns(
    ns,
    [...nodeArgs(profileDir, 'engine'), '--import', 'tsx', RUNNER, ns.serverAddress, '--interface', 'cwbench1'],
    true,
  );
}

/** The CLI stops on SIGTERM, the runner on "stop"; a child stuck past 10 s is killed with its group. */
export async function stopJsonChild(
  c: JsonChild | undefined,
  how: 'signal' | 'stdin',
): Promise<number | null | undefined> {
  if (c === undefined || c.child.exitCode !== null || c.child.signalCode !== null) return c?.child.exitCode;
  if (how === 'stdin') c.send('stop');
  else c.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (c.child.pid !== undefined) {
      try {
        process.kill(-c.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, 10_000);
  const code = await c.exited;
  clearTimeout(timer);
  return code;
}
