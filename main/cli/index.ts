// The `causeway` command line. Every subcommand returns an exit code; nothing here calls process.exit.
import { Command, CommanderError, Option } from 'commander';
import { buildSessionConfig, type ConnectOptions } from './options.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { jsonOutput, textOutput } from './output.js';
import { readPasswordFromStream } from './read-secret.js';
import { runTest } from './test-command.js';

interface TestCliOptions extends ConnectOptions {
  passwordStdin?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export async function main(argv: readonly string[]): Promise<number> {
  const stdout = (t: string) => void process.stdout.write(t);
  const stderr = (t: string) => void process.stderr.write(t);
  let code: number = EXIT.ok;
  const program = new Command('causeway')
    .description('Causeway — SSTP VPN client (SSTP + PPP in userspace)')
    .exitOverride()
    .configureOutput({ writeOut: stdout, writeErr: stderr })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('test')
    .description('connect to an SSTP server, authenticate, get an address, ping the server through the tunnel, disconnect, and report each phase')
    .argument('<server>', 'host or host:port (port 443 by default); [v6addr]:port for IPv6')
    .requiredOption('-u, --user <name>', 'user name (e.g. alice, alice@HUB, DOMAIN\\alice)')
    .option('--password-stdin', 'read the password from standard input (the only way to pass it: never on the command line)')
    .option('--ca <file>', 'trust the CA certificate(s) in this PEM file instead of the system CAs')
    .option('--pin <sha256:HEX>', "trust exactly the server certificate with this SHA-256 fingerprint")
    .option('--insecure', 'accept any server certificate (labs only; the certificate is still shown)')
    .option('--sni <name>', 'TLS server name to send (default: the host name)')
    .addOption(new Option('--tls-min <version>', 'minimum TLS version').choices(['1.2', '1.3']).default('1.2'))
    .option('--auth <methods>', 'allowed authentication methods in order of preference: pap,chap,mschapv2,eap-mschapv2', 'mschapv2,eap-mschapv2,pap,chap')
    .option('--proxy <url>', 'HTTP proxy: http://[user:pass@]host:port')
    .option('--ipv6', 'also negotiate IPv6 (IPv6CP)')
    .option('--mru <bytes>', 'maximum receive unit to ask for', '1500')
    .option('--json', 'print JSON lines; the last line is the result')
    .option('-v, --verbose', 'print the protocol trace (never contains secrets)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n\nExample:\n  printf %s "$PASSWORD" | causeway test vpn.example.com --user alice --password-stdin\n`)
    .action(async (server: string, o: TestCliOptions) => {
      const out = o.json ? jsonOutput(stdout) : textOutput(stdout, stderr);
      let password: string;
      if (o.passwordStdin) {
        try {
          password = await readPasswordFromStream(process.stdin);
        } catch (e) {
          out.error((e as Error).message);
          code = EXIT.usage;
          return;
        }
      } else {
        out.error('give the password on standard input with --password-stdin (it is never accepted on the command line)');
        code = EXIT.usage;
        return;
      }
      const cfg = buildSessionConfig(server, o, password);
      if (!cfg.ok) {
        out.error(cfg.error);
        code = EXIT.usage;
        return;
      }
      code = await runTest(cfg.value, { json: o.json === true, verbose: o.verbose === true, echoTimeoutMs: 5_000 }, out);
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw e;
  }
  return code;
}
