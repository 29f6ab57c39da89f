// `causeway test` and `causeway doctor`: one full connection attempt through the shared diagnosis
// routine (services/doctor/diagnose.ts, the same one the app's Test and Doctor run), printed either as
// the short test report or as the doctor's timeline.
import type { SessionConfig } from '../engine/config.js';
import type { StreamTap } from '../engine/diagnostics/stream-tap.js';
import type { LogEntry } from '../engine/log.js';
import { SstpSession } from '../engine/session.js';
import { diagnose, type Diagnosis, type DiagnoseOptions } from '../services/doctor/diagnose.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { Output } from './output.js';
import type { TestReport } from './test-report.js';

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
