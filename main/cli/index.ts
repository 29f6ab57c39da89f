// The `causeway` command line. Each subcommand registers itself from commands/; none calls process.exit.
import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { EXIT, LOCAL_EXIT_CODES_HELP } from './exit-codes.js';
import { dropToUser } from './sudo/act-as.js';
import { KEYCHAIN_CHILD_ARG, runKeychainChild } from './sudo/keychain-child.js';
import { invokerOfThisProcess, userEnvironment } from './sudo/invoker.js';
import { packageVersion } from './version.js';

/** What every commands/*.ts register function takes (their optional test seams left at defaults). */
type Register = (program: Command, ctx: CliContext) => void;

/**
 * Every command, in help order, loaded only when needed: `causeway connect` is a long-lived process
 * and every other command's modules (import's parsers, profiles' editors, bench, doctor) would stay
 * resident in it for nothing — ~4 MB of its RSS (issue 17). A known command loads just its own
 * module; help, a typo or no command load them all (the list, suggestions).
 */
const COMMANDS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['test', async () => (await import('./commands/test.js')).registerTestCommand],
  ['doctor', async () => (await import('./commands/doctor.js')).registerDoctorCommand],
  ['bench', async () => (await import('./commands/bench.js')).registerBenchCommand],
  ['connect', async () => (await import('./commands/connect.js')).registerConnectCommand],
  ['status', async () => (await import('./commands/status.js')).registerStatusCommand],
  ['disconnect', async () => (await import('./commands/disconnect.js')).registerDisconnectCommand],
  ['unblock', async () => (await import('./commands/unblock.js')).registerUnblockCommand],
  ['profiles', async () => (await import('./commands/profiles.js')).registerProfilesCommand],
  ['import', async () => (await import('./commands/import.js')).registerImportCommand],
  ['export', async () => (await import('./commands/export.js')).registerExportCommand],
  ['logs', async () => (await import('./commands/logs.js')).registerLogsCommand],
];

/** Commands that need root when run under sudo; every other one becomes the sudo user first. */
const KEEPS_ROOT = new Set(['connect']);
/** Commands whose help already lists the exit codes of a connection attempt. */
const CONNECTING = new Set(['test', 'connect', 'doctor']);

/** Where the CLI writes; tests pass their own (the test runner reports on process.stdout meanwhile). */
export interface CliOutput {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

export async function main(argv: readonly string[], output: CliOutput = {}): Promise<number> {
  // Not a command: the keychain round trip `sudo causeway connect` runs as the sudo user.
  if (argv[2] === KEYCHAIN_CHILD_ARG) {
    await runKeychainChild(process.stdin, (t) => void process.stdout.write(t));
    return EXIT.ok;
  }
  let code: number = EXIT.ok;
  const ctx: CliContext = {
    stdout: output.stdout ?? ((t) => void process.stdout.write(t)),
    stderr: output.stderr ?? ((t) => void process.stderr.write(t)),
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

  const named = COMMANDS.filter(([name]) => name === argv[2]);
  for (const [, load] of named.length > 0 ? named : COMMANDS) (await load())(program, ctx);
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
