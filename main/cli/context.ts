// What every subcommand gets from the CLI entry: where to write, and how to report its exit code.
import type { Readable } from 'node:stream';

export interface CliContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  /** The subcommand's outcome; the entry returns it as the process exit code. */
  setExitCode(code: number): void;
}
