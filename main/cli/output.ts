// How the CLI speaks: human text, or one JSON object per line (--json). Logs go to stderr in text mode.
import type { LogEntry } from '../engine/log.js';
import type { TestReport } from './test-report.js';

export interface Output {
  progress(event: Record<string, unknown> & { event: string }): void;
  log(entry: LogEntry): void;
  result(report: TestReport): void;
  error(message: string): void;
}

type Write = (text: string) => void;

export function jsonOutput(stdout: Write): Output {
  const line = (o: unknown) => stdout(JSON.stringify(o) + '\n');
  return {
    progress: (e) => line(e),
    log: (e) => line({ event: 'log', ...e }),
    result: (r) => line(r),
    error: (message) => line({ event: 'error', message }),
  };
}

export function textOutput(stdout: Write, stderr: Write): Output {
  return {
    progress: (e) => {
      if (e.event === 'phase') stderr(`… ${String(e.phase)}\n`);
    },
    log: (e) => stderr(formatLogLine(e)),
    result: (r) => stdout(formatReport(r)),
    error: (message) => stderr(`causeway: ${message}\n`),
  };
}

/** One engine log entry as a terminal line. */
export function formatLogLine(e: LogEntry): string {
  return `${new Date(e.time).toISOString()} ${e.level.padEnd(5)} ${e.phase.padEnd(10)} ${e.message}\n`;
}

export function formatReport(r: TestReport): string {
  const lines: string[] = [];
  lines.push(r.ok ? `OK  ${r.server}` : `FAILED  ${r.server}`);
  lines.push('');
  lines.push('  phase       ms');
  for (const [phase, ms] of Object.entries(r.phases)) lines.push(`  ${phase.padEnd(10)} ${String(ms).padStart(5)}`);
  lines.push(`  ${'total'.padEnd(10)} ${String(r.totalMs).padStart(5)}`);
  lines.push('');
  if (r.tls)
    lines.push(
      `  TLS         ${r.tls.version} ${r.tls.cipher}`,
      `  certificate ${r.tls.subject}`,
      `  SHA-256     ${r.tls.certificateSha256}`,
    );
  if (r.authMethod !== undefined) lines.push(`  auth        ${r.authMethod ?? 'none'}`);
  if (r.ipv4) {
    lines.push(
      `  address     ${r.ipv4.address}`,
      `  peer        ${r.ipv4.peer ?? '(none)'}`,
      `  DNS         ${r.ipv4.dns.join(', ') || '(none)'}`,
    );
  }
  if (r.ipv6 !== undefined) lines.push(`  IPv6        ${r.ipv6 ? 'up' : 'unavailable'}`);
  if (r.echo)
    lines.push(
      r.echo.ok ? `  echo        reply from ${r.echo.from} in ${r.echo.rttMs} ms` : `  echo        ${r.echo.reason}`,
    );
  if (r.failure) {
    lines.push('', `  ${r.failure.phase}: ${r.failure.code}`, `  ${r.failure.message}`);
    if (r.failure.detail) lines.push(`  (${r.failure.detail})`);
  }
  return lines.join('\n') + '\n';
}
