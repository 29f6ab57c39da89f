// The throughput benchmark's command line: --size MB, --runs N, --profile DIR. Bad values stop the
// run before anything is set up (no server, no namespaces to clean after a typo).
import { resolve } from 'node:path';

export interface ThroughputArgs {
  /** Bytes each way, in MB (10^6 bytes). */
  sizeMb: number;
  /** Samples per method and direction. */
  runs: number;
  /** Where `node --cpu-prof` writes the CLI's and the engine's profiles; undefined: no profiling. */
  profileDir: string | undefined;
}

function argValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Throws with what is allowed, as the run's only refusal of its own arguments. */
export function parseThroughputArgs(argv: readonly string[]): ThroughputArgs {
  const sizeMb = Number(argValue(argv, '--size') ?? 200);
  const runs = Number(argValue(argv, '--runs') ?? 3);
  const profileDirArg = argValue(argv, '--profile');
  if (!Number.isInteger(sizeMb) || sizeMb < 1 || sizeMb > 2000)
    throw new Error('--size must be 1..2000 (MB, 10^6 bytes)');
  if (!Number.isInteger(runs) || runs < 1 || runs > 10) throw new Error('--runs must be 1..10');
  return { sizeMb, runs, profileDir: profileDirArg === undefined ? undefined : resolve(profileDirArg) };
}

/** Progress goes to stderr; stdout holds only the report. */
export function say(text: string): void {
  process.stderr.write(`${text}\n`);
}
