// `causeway test <server>`: registration, option handling, and the run — one full connection attempt
// through the shared diagnosis routine (services/doctor/diagnose.ts, the same one the app's Test and
// Doctor run), printed as the short test report (`causeway doctor` prints the same run as a timeline).
import { Option, type Command } from 'commander';
import type { SessionConfig } from '../../engine/config.js';
import type { StreamTap } from '../../engine/diagnostics/stream-tap.js';
import type { LogEntry } from '../../engine/log.js';
import { SstpSession } from '../../engine/session.js';
import { diagnose, type Diagnosis, type DiagnoseOptions } from '../../services/doctor/diagnose.js';
import type { TestReport } from '../test-report.js';
import type { CliContext } from '../context.js';
import { addDiagnosticsOptions, openDiagnostics, type DiagnosticsCliOptions } from '../diagnostics-options.js';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from '../exit-codes.js';
import type { ConnectOptions } from '../options.js';
import { jsonOutput, textOutput, type Output } from '../output.js';
import { teeToConnectionLog } from '../profiles/attempt-log.js';
import type { ProfileServices } from '../profiles/services.js';
import { exitCodeForTargetError, resolveConnectTarget, type ConnectTarget } from '../profiles/target.js';
import { withTrustHint } from '../profiles/trust-hint.js';
import { withFirstCode, type OtpFlags } from '../one-time-code.js';

export interface SecretAndOutputOptions {
  passwordStdin?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** The connection options `test` and `connect` share. */
export function addConnectionOptions(cmd: Command): Command {
  return (
    cmd
      .option('-u, --user <name>', 'user name (e.g. alice, alice@HUB, DOMAIN\\alice)')
      .option(
        '--password-stdin',
        'read the password from standard input (the only way to pass it: never on the command line)',
      )
      .option('--ca <file>', 'trust the CA certificate(s) in this PEM file instead of the system CAs')
      .option('--pin <sha256:HEX>', 'trust exactly the server certificate with this SHA-256 fingerprint')
      .option('--insecure', 'accept any server certificate (labs only; the certificate is still shown)')
      .option('--sni <name>', 'TLS server name to send (default: the host name)')
      .option(
        '--eap-pin <sha256:HEX>',
        "EAP-TLS/PEAP: trust exactly the sign-in (EAP) server certificate with this SHA-256 fingerprint (default: the profile's, or judged like the VPN server's)",
      )
      .option(
        '--eap-ca <file>',
        'EAP-TLS/PEAP: trust the CA certificate(s) in this PEM file for the sign-in (EAP) server',
      )
      .option('--eap-server-name <name>', "EAP-TLS/PEAP: the name the sign-in (EAP) server's certificate must carry")
      // No commander defaults below: an absent flag must be told apart from a default so a profile's own
      // value can stand (buildSessionConfig applies the same defaults for a plain host).
      .addOption(
        new Option('--tls-min <version>', "minimum TLS version (default: 1.2, or the profile's)").choices([
          '1.2',
          '1.3',
        ]),
      )
      .option(
        '--auth <methods>',
        "allowed authentication methods in order of preference: pap,chap,mschapv2,eap-mschapv2 (default: mschapv2,eap-mschapv2, or the profile's; pap and chap only when listed, since the server then proves nothing)",
      )
      .option(
        '--allow-no-auth',
        'carry on if the server asks for no authentication at all (refused otherwise: nothing would prove it is your server)',
      )
      .option(
        '--proxy <url>',
        'HTTP proxy: http://[user@]host:port (never a password in the URL: see --proxy-password-stdin)',
      )
      .option(
        '--no-env-proxy',
        'ignore https_proxy / no_proxy (used for a host given here, and for a profile set to the system proxy)',
      )
      .option(
        '--proxy-password-stdin',
        "read the proxy password from standard input (the line after the password when --password-stdin is given too; a saved profile's comes from the keychain)",
      )
      .option('--ipv6', 'also negotiate IPv6 (IPv6CP)')
      .option('--mru <bytes>', "maximum receive unit to ask for (default: 1500, or the profile's MTU)")
      .option(
        '--auth-wait <seconds>',
        "how long authentication may wait for the server, e.g. while you approve an MFA push on your phone (5-600; default 60, or the profile's)",
      )
      .option('--json', 'print JSON lines; the last line is the result')
      .option('-v, --verbose', 'print the protocol trace (never contains secrets)')
  );
}

/** test/doctor's one attempt takes one code (connect registers its own, asked at each reconnect too). */
export function addOtpOptions(cmd: Command): Command {
  return cmd
    .option(
      '--otp <mode>',
      "this profile or server wants a one-time code, never stored: append (send password+code) or replace (the code is the password); default: the profile's",
    )
    .option(
      '--otp-stdin',
      'read the one-time code from standard input: the line after the password (and proxy password) lines',
    );
}

/**
 * The run's target (profile or address) with its one-time code joined when the profile or --otp wants
 * one; on failure the error is shown, the exit code set, and undefined returned. Shared by test and doctor.
 */
export async function resolveRunTarget(
  target: string,
  o: ConnectOptions & OtpFlags,
  out: Output,
  ctx: CliContext,
  services: ProfileServices | undefined,
): Promise<{ t: ConnectTarget; oneTimeCode: boolean } | undefined> {
  const resolved = await resolveConnectTarget(target, o, {
    stdin: ctx.stdin,
    env: ctx.env,
    ...(services ? { services } : {}),
  });
  if (!resolved.ok) {
    out.error(resolved.error.message);
    ctx.setExitCode(exitCodeForTargetError(resolved.error));
    return undefined;
  }
  const t = resolved.target;
  if (t.kind === 'address' && t.warning) ctx.stderr(`causeway: warning: ${t.warning}\n`);
  const coded = await withFirstCode(
    { config: t.config, secrets: t.secrets, oneTimeCode: false },
    o,
    t.kind === 'profile' ? t.profile : undefined,
    {
      stdin: ctx.stdin,
      announce: (attempt, reason) => out.progress({ event: 'otp-needed', attempt, ...(reason ? { reason } : {}) }),
      terminal: (text) => ctx.stderr(text),
    },
  );
  if (!coded.ok) {
    out.error(coded.error);
    ctx.setExitCode(EXIT.usage);
    return undefined;
  }
  return {
    t: { ...t, config: coded.value.config, secrets: coded.value.secrets },
    oneTimeCode: coded.value.oneTimeCode,
  };
}

/** `services` is for tests; the CLI opens the real ones (XDG paths, OS keychain) from the environment. */
export function registerTestCommand(program: Command, ctx: CliContext, services?: ProfileServices): void {
  addOtpOptions(
    addDiagnosticsOptions(
      addConnectionOptions(
        program
          .command('test')
          .description(
            'connect to an SSTP server, authenticate, get an address, ping the server through the tunnel, disconnect, and report each phase',
          )
          .argument(
            '<target>',
            'a saved profile (name or id; its password comes from the keychain), or host or host:port (port 443 by default; [v6addr]:port for IPv6)',
          ),
      ),
    ),
  )
    .addHelpText(
      'after',
      `\nWith a profile, flags given here override its fields for this run, and the attempt is logged\n(see \`causeway logs NAME\`).\n\n${EXIT_CODES_HELP}\n\nExamples:\n  causeway test Office\n  printf %s "$PASSWORD" | causeway test vpn.example.com --user alice --password-stdin\n  printf '%s\\n' "$PASSWORD" 123456 | causeway test Office --password-stdin --otp-stdin\n`,
    )
    .action(async (target: string, o: ConnectOptions & SecretAndOutputOptions & DiagnosticsCliOptions & OtpFlags) => {
      const json = o.json === true;
      const verbose = o.verbose === true;
      const out = json ? jsonOutput(ctx.stdout) : textOutput(ctx.stdout, ctx.stderr);
      const run = await resolveRunTarget(target, o, out, ctx, services);
      if (!run) return;
      const { t, oneTimeCode } = run;
      const profileName = t.kind === 'profile' ? t.profile.name : undefined;
      const shown: Output = withTrustHint(out, json, ctx.stdout, profileName, target);
      const diag = openDiagnostics(o, ctx.env, (e) => {
        if (verbose || e.level !== 'info') shown.log(e);
      });
      if (!diag.ok) {
        out.error(diag.message);
        return ctx.setExitCode(EXIT.usage);
      }
      try {
        await runTestWithTarget(
          t,
          { json, verbose, echoTimeoutMs: 5_000, tap: diag.diagnostics.tap, oneTimeCode },
          shown,
          ctx,
        );
      } finally {
        await diag.diagnostics.close();
      }
    });
}

/** One run for a plain address, or for a profile with its attempt logged (see `causeway logs NAME`). */
async function runTestWithTarget(
  t: ConnectTarget,
  opts: TestRunOptions,
  shown: Output,
  ctx: CliContext,
): Promise<void> {
  if (t.kind === 'address') return ctx.setExitCode(await runTest(t.config, opts, shown));
  const started = t.services.logs.start(t.profile.id, { secrets: t.secrets, verbose: opts.verbose });
  if (!started.ok) {
    ctx.stderr(`causeway: warning: this attempt is not logged: ${started.error.message}\n`);
    return ctx.setExitCode(await runTest(t.config, opts, shown));
  }
  const log = started.value;
  try {
    ctx.setExitCode(await runTest(t.config, { ...opts, verbose: true }, teeToConnectionLog(shown, log, opts.verbose)));
  } finally {
    log.close();
  }
  if (log.writeError) ctx.stderr(`causeway: warning: the connection log could not be written: ${log.writeError}\n`);
}

export interface TestRunOptions {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly echoTimeoutMs: number;
  /** --capture / --keylog (./diagnostics-options.ts). */
  readonly tap?: StreamTap;
  /** The password carries a one-time code (../one-time-code.ts withFirstCode). */
  readonly oneTimeCode?: boolean;
}

/** Runs the diagnosis with the CLI's progress and trace wiring; the caller prints. */
export function runDiagnosis(
  config: SessionConfig,
  opts: TestRunOptions,
  out: Output,
  extra: Pick<DiagnoseOptions, 'mtu'> = {},
): Promise<Diagnosis> {
  return diagnose(
    config,
    {
      createSession: (c, d) => new SstpSession(c, d),
      ...(opts.tap ? { sessionDeps: { tap: opts.tap } } : {}),
      log: (e: LogEntry) => {
        if (opts.verbose || e.level === 'warn' || e.level === 'error') out.log(e);
      },
    },
    {
      ...extra,
      ...(opts.oneTimeCode ? { oneTimeCode: true } : {}),
      echoTimeoutMs: opts.echoTimeoutMs,
      onEvent: (e) => {
        if (e.type === 'phase') out.progress({ event: 'phase', phase: e.phase });
        else if (e.type === 'ipv6-up') out.progress({ event: 'ipv6-up', ...e.ipv6 });
      },
    },
  );
}

export async function runTest(config: SessionConfig, opts: TestRunOptions, out: Output): Promise<number> {
  const d = await runDiagnosis(config, opts, out);
  const report = testReportOf(d);
  out.result(report);
  return exitCodeOf(d);
}

export function exitCodeOf(d: Diagnosis): number {
  return d.report.ok ? EXIT.ok : exitCodeFor(d.failure?.code ?? d.report.failure?.code ?? 'protocol-error');
}

/** The short report `causeway test` has always printed, from the shared diagnosis. */
export function testReportOf(d: Diagnosis): TestReport {
  const r = d.report;
  const phases: Record<string, number> = {};
  for (const t of d.timings) phases[t.phase] = t.ms;
  return {
    event: 'result',
    ok: r.ok,
    server: r.server,
    phases,
    totalMs: r.totalMs,
    ...(r.ipv4 ? { ipv4: r.ipv4 } : {}),
    ...(r.ipv6 !== undefined ? { ipv6: r.ipv6 } : {}),
    ...(r.authMethod !== undefined ? { authMethod: r.authMethod } : {}),
    ...(r.tls ? { tls: r.tls } : {}),
    ...(d.echo ? { echo: d.echo } : {}),
    ...(d.failure ? { failure: d.failure } : {}),
    verdicts: Object.fromEntries(r.phases.map((p) => [p.phase, p.verdict])),
  };
}
