// The `causeway` command line. Each subcommand registers itself from commands/; none calls process.exit.
import { Command, CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { registerTestCommand } from './commands/test.js';
import { registerConnectCommand } from './commands/connect.js';
import { registerProfilesCommand } from './commands/profiles.js';
import { registerImportCommand } from './commands/import.js';
import { registerExportCommand } from './commands/export.js';
import { registerLogsCommand } from './commands/logs.js';

export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const ctx: CliContext = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    env: process.env,
    setExitCode: (c) => void (code = c),
  };
  const program = new Command('causeway')
    .description('Causeway — SSTP VPN client (SSTP + PPP in userspace)')
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr })
    .showHelpAfterError('(run with --help for usage)');

  registerTestCommand(program, ctx);
  registerConnectCommand(program, ctx);
  registerProfilesCommand(program, ctx);
  registerImportCommand(program, ctx);
  registerExportCommand(program, ctx);
  registerLogsCommand(program, ctx);

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw e;
  }
  return code;
}
