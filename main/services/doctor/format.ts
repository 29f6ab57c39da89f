// The doctor's report as text for a person: the timeline, then what failed and what to do, then the
// server recognised. Used by the CLI and on top of the saved report.
import type { DoctorPhaseResult, DoctorReport, Verdict } from '../../contract/doctor.js';

const MARK: Record<Verdict, string> = { ok: 'ok', warning: 'warn', failed: 'FAIL', skipped: '-', 'not-reached': '·' };

export function formatDoctorText(r: DoctorReport): string {
  const lines = [
    `${r.ok ? 'OK' : 'FAILED'}  ${r.server}${r.proxy ? ` via proxy ${r.proxy}` : ''}  (${r.startedAt}, ${r.totalMs} ms)`,
    '',
  ];
  for (const p of r.phases) lines.push(phaseLine(p));
  const advised = r.phases.filter((p) => p.advice && (p.verdict === 'failed' || p.verdict === 'warning'));
  for (const p of advised) {
    lines.push('', `${p.phase}: ${p.advice?.meaning ?? ''}`, `  what to do: ${p.advice?.action ?? ''}`);
  }
  if (r.failure?.detail) lines.push(`  detail: ${r.failure.detail}`);
  if (r.certificate)
    lines.push(
      '',
      `certificate  ${r.certificate.subject} (issuer ${r.certificate.issuer})`,
      `SHA-256      ${r.certificate.sha256}`,
    );
  if (r.mtu?.ok)
    lines.push(
      `path MTU     ${r.mtu.pathMtu} (link ${r.mtu.linkMtu}); recommended MRU ${r.mtu.recommendedMru}, MSS ${r.mtu.recommendedMss}`,
    );
  if (r.quirks.length === 0) lines.push('', 'server       not recognised');
  for (const q of r.quirks) {
    lines.push(
      '',
      `server       ${q.family}`,
      ...q.evidence.map((e) => `  seen: ${e}`),
      ...q.workarounds.map((w) => `  workaround: ${w}`),
    );
    if (q.notes) lines.push(`  note: ${q.notes}`);
  }
  return lines.join('\n');
}

function phaseLine(p: DoctorPhaseResult): string {
  const ms = p.ms === null ? '' : `${p.ms} ms`;
  return `  ${p.phase.padEnd(7)} ${MARK[p.verdict].padEnd(5)} ${ms.padStart(8)}  ${p.summary}`;
}
