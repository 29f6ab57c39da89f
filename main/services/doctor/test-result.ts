// The app's "Test connection" result from the shared diagnosis: the same verdict `causeway test` gives
// (IPv6CP waited for, a lost ping is a failure), in the contract's shape, with the doctor's report.
import type { TestConnectionResult, StartError } from '../../contract/results.js';
import { failureView, tlsView } from '../connections/views.js';
import type { Diagnosis } from './diagnose.js';

export type ProfileDiagnosis =
  | {
      readonly ok: true;
      readonly diagnosis: Diagnosis;
      readonly attempt: number;
      readonly username: string;
      readonly secrets: readonly string[];
    }
  | { readonly ok: false; readonly error: StartError };

export function testResultOf(d: Diagnosis, attempt: number): TestConnectionResult {
  const verdicts = d.report.phases.map((p) => ({ phase: p.phase, verdict: p.verdict }));
  if (d.failure || !d.info) {
    const f = d.failure ?? {
      phase: 'connected' as const,
      code: 'protocol-error' as const,
      message: 'The test ended without a result.',
    };
    return {
      ok: false,
      error: {
        kind: 'failed',
        failure: failureView(f),
        timings: d.timings,
        attempt,
        verdicts,
        ...(f.certificate ? { certificate: f.certificate } : {}),
      },
    };
  }
  const info = d.info;
  return {
    ok: true,
    timings: info.timings,
    tls: tlsView(info.tls),
    ipv4: info.ipv4.local,
    peer: info.ipv4.peer,
    dns: info.ipv4.dns,
    ping: d.echo ? (d.echo.ok ? { ok: true, rttMs: d.echo.rttMs } : { ok: false, reason: d.echo.reason }) : null,
    attempt,
    verdicts,
  };
}
