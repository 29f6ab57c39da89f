// The `causeway` command line. Each subcommand registers itself from commands/; none calls process.exit.
import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { EXIT, LOCAL_EXIT_CODES_HELP } from './exit-codes.js';
import { registerTestCommand } from './commands/test.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerConnectCommand } from './commands/connect.js';
import { registerProfilesCommand } from './commands/profiles.js';
import { registerImportCommand } from './commands/import.js';
import { registerExportCommand } from './commands/export.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerStatusCommand } from './commands/status.js';
import { registerDisconnectCommand } from './commands/disconnect.js';
import { registerUnblockCommand } from './commands/unblock.js';
import { dropToUser } from './sudo/act-as.js';
import { KEYCHAIN_CHILD_ARG, runKeychainChild } from './sudo/keychain-child.js';
import { invokerOfThisProcess, userEnvironment } from './sudo/invoker.js';
import { packageVersion } from './version.js';

/** Commands that need root when run under sudo; every other one becomes the sudo user first. */
const KEEPS_ROOT = new Set(['connect']);
/** Commands whose help already lists the exit codes of a connection attempt. */
const CONNECTING = new Set(['test', 'connect', 'doctor']);

export async function main(argv: readonly string[]): Promise<number> {
  // Not a command: the keychain round trip `sudo causeway connect` runs as the sudo user.
  if (argv[2] === KEYCHAIN_CHILD_ARG) {
    await runKeychainChild(process.stdin, (t) => void process.stdout.write(t));
    return EXIT.ok;
  }
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
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr })
    .showHelpAfterError('(run with --help for usage)');

  registerTestCommand(program, ctx);
  registerDoctorCommand(program, ctx);
  registerBenchCommand(program, ctx);
  registerConnectCommand(program, ctx);
  registerStatusCommand(program, ctx);
  registerDisconnectCommand(program, ctx);
  registerUnblockCommand(program, ctx);
  registerProfilesCommand(program, ctx);
  registerImportCommand(program, ctx);
  registerExportCommand(program, ctx);
  registerLogsCommand(program, ctx);
  documentExitCodes(program);

  // Under sudo, act for the user who typed it (their profiles, logs, keychain, tunnel registry).
  let refusal: string | undefined;
  program.hook('preAction', (_root, action) => {
    const invoker = invokerOfThisProcess(process.env);
    if (!invoker.ok) {
      refusal = invoker.error.message;
      throw new CommanderError(EXIT.failure, 'causeway.sudo', refusal);
    }
    if (invoker.invoker.kind === 'sudo' && !KEEPS_ROOT.has(topLevel(action).name())) {
      const user = invoker.invoker.user;
      dropToUser(user, userEnvironment(process.env, user, existsSync));
    }
  });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (refusal !== undefined) {
      ctx.stderr(`causeway: ${refusal}\n`);
      return EXIT.failure;
    }
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw e;
  }
  return code;
}

function topLevel(cmd: Command): Command {
  let c = cmd;
  while (c.parent && c.parent.parent) c = c.parent;
  return c;
}

/** Every command's --help ends with its exit codes (test and connect list their own, longer set). */
export function documentExitCodes(program: Command): void {
  const visit = (cmd: Command, top: string) => {
    for (const sub of cmd.commands) {
      const name = top || sub.name();
      const hasOwn = CONNECTING.has(name) || name === 'status' || name === 'disconnect';
      if (!hasOwn && sub.commands.length === 0) sub.addHelpText('after', `\n${LOCAL_EXIT_CODES_HELP}\n`);
      visit(sub, name);
    }
  };
  visit(program, '');
  program.addHelpText(
    'after',
    `\n${LOCAL_EXIT_CODES_HELP}\n  3-7 connection failures of \`test\` and \`connect\` (see their --help)\n`,
  );
}
