// `causeway doctor <target>`: the connection doctor. The same attempt as `causeway test` (one shared
// routine), shown as a phase timeline with a verdict per phase and, for a failure, what it means and
// what to do; the server family it recognised; the path MTU. `--report FILE` saves a redacted
// compatibility report (mode 0600) to send to an administrator.
import type { Command } from 'commander';
import type { DoctorReport } from '../../contract/doctor.js';
import { formatDoctorText } from '../../services/doctor/format.js';
import { redactReport, writeReportFile } from '../../services/doctor/report-file.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import type { ConnectOptions } from '../options.js';
import { jsonOutput, textOutput, type Output } from '../output.js';
import { teeToConnectionLog } from '../profiles/attempt-log.js';
import type { ProfileServices } from '../profiles/services.js';
import type { OtpFlags } from '../one-time-code.js';
import {
  addConnectionOptions,
  addOtpOptions,
  exitCodeOf,
  resolveRunTarget,
  runDiagnosis,
  type SecretAndOutputOptions,
} from './test.js';

interface DoctorOptions {
  report?: string;
  includeUser?: boolean;
  mtu?: boolean;
  mtuTarget?: string;
}

export function registerDoctorCommand(program: Command, ctx: CliContext, services?: ProfileServices): void {
  addOtpOptions(
    addConnectionOptions(
      program
        .command('doctor')
        .description(
          'diagnose a connection: every phase (DNS, TCP, proxy, TLS, HTTP, SSTP, LCP, auth, IPCP/IPv6CP, data, MTU) with a verdict, advice for a failure, the server recognised',
        )
        .argument('<target>', 'a saved profile (name or id), or host or host:port'),
    ),
  )
    .option(
      '--report <file>',
      'also write a redacted compatibility report (no passwords, no user name unless --include-user; mode 0600)',
    )
    .option('--include-user', 'keep the user name in the report')
    .option('--no-mtu', 'skip the path MTU check')
    .option(
      '--mtu-target <address>',
      "probe the path MTU to this address behind the server instead of the server's tunnel address",
    )
    .addHelpText(
      'after',
      `\n${EXIT_CODES_HELP}\n\nExamples:\n  causeway doctor Office --report office-report.txt\n  printf %s "$PASSWORD" | causeway doctor vpn.example.com --user alice --password-stdin\n`,
    )
    .action(async (target: string, o: ConnectOptions & SecretAndOutputOptions & DoctorOptions & OtpFlags) => {
      const json = o.json === true;
      const verbose = o.verbose === true;
      const out = json ? jsonOutput(ctx.stdout) : textOutput(ctx.stdout, ctx.stderr);
      const resolved = await resolveRunTarget(target, o, out, ctx, services);
      if (!resolved) return;
      const { t, oneTimeCode } = resolved;
      const mtu = o.mtu === false ? false : { ...(o.mtuTarget !== undefined ? { target: o.mtuTarget } : {}) };
      const run = async (shown: Output, logAll: boolean) => {
        const d = await runDiagnosis(t.config, { json, verbose: logAll, echoTimeoutMs: 5_000, oneTimeCode }, shown, {
          mtu,
        });
        const report = redactReport(d.report, {
          username: t.config.credentials.username,
          includeUser: o.includeUser === true,
          secrets: t.secrets,
        });
        print(report, json, verbose);
        if (o.report !== undefined) {
          const w = writeReportFile(o.report, report);
          if (w.ok) ctx.stderr(`causeway: report written to ${w.path}\n`);
          else ctx.stderr(`causeway: ${w.message}\n`);
        }
        return exitCodeOf(d);
      };
      if (t.kind === 'address') return ctx.setExitCode(await run(out, verbose));
      // The doctor traces in full: its attempt file keeps every debug line.
      const started = t.services.logs.start(t.profile.id, { secrets: t.secrets, verbose: true });
      if (!started.ok) {
        ctx.stderr(`causeway: warning: this attempt is not logged: ${started.error.message}\n`);
        return ctx.setExitCode(await run(out, verbose));
      }
      const log = started.value;
      try {
        ctx.setExitCode(await run(teeToConnectionLog(out, log, verbose), true));
      } finally {
        log.close();
      }
    });

  function print(report: DoctorReport, json: boolean, verbose: boolean): void {
    // The trace goes to the report file; on stdout only with -v (it is long).
    const shown = verbose ? report : { ...report, trace: [] };
    if (json) ctx.stdout(`${JSON.stringify({ event: 'doctor', ...shown })}\n`);
    else ctx.stdout(`${formatDoctorText(report)}\n`);
  }
}
