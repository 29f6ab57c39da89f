// `causeway test`: one full connection attempt, an ICMP echo through the tunnel, a clean disconnect,
// and a report of how long each phase took.
import type { SessionConfig } from '../engine/config.js';
import { failure } from '../engine/failure.js';
import type { StreamTap } from '../engine/diagnostics/stream-tap.js';
import type { LogEntry } from '../engine/log.js';
import { pingOnce, type PingResult } from '../engine/packet/ping.js';
import { SstpSession, type ConnectOutcome } from '../engine/session.js';
import { systemClock } from '../engine/clock.js';
import type { PhaseTiming } from '../engine/timings.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { Output } from './output.js';
import type { TestReport } from './test-report.js';

export interface TestRunOptions {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly echoTimeoutMs: number;
  /** --capture / --keylog (./diagnostics-options.ts). */
  readonly tap?: StreamTap;
}

export async function runTest(config: SessionConfig, opts: TestRunOptions, out: Output): Promise<number> {
  const started = systemClock.now();
  const session = new SstpSession(config, {
    log: (e: LogEntry) => {
      if (opts.verbose || e.level === 'warn' || e.level === 'error') out.log(e);
    },
    ...(opts.tap ? { tap: opts.tap } : {}),
  });
  // IPv6CP may settle (up or refused) before IPv4 is up: remember it, or we would wait for nothing.
  let ipv6Settled = false;
  session.onEvent((e) => {
    if (e.type === 'phase') out.progress({ event: 'phase', phase: e.phase });
    else if (e.type === 'ipv6-up') out.progress({ event: 'ipv6-up', ...e.ipv6 });
    if (e.type === 'ipv6-up' || e.type === 'ipv6-unavailable') ipv6Settled = true;
  });
  const outcome: ConnectOutcome = await session.connect();
  let report: TestReport;
  if (!outcome.ok) {
    report = baseReport(config, started, outcome.timings, false, { failure: outcome.failure, tls: tlsOf(outcome.tls) });
  } else {
    const info = outcome.info;
    // SoftEther finishes IPv6CP a few seconds after IPv4; a test run with --ipv6 waits briefly for it.
    if (config.ipv6 && !ipv6Settled) await waitForIpv6(session, 8_000);
    const peer = info.ipv4.peer;
    const echo: PingResult = peer
      ? await pingOnce(session, systemClock, info.ipv4.local, peer, opts.echoTimeoutMs)
      : { ok: false, reason: 'the server did not announce its own address, so there is nothing to ping' };
    const echoFailure = echo.ok
      ? undefined
      : failure('connected', 'data-path-failed', `The tunnel came up but the server's address ${peer ?? '(none)'} did not answer a ping: ${echo.reason}. The server may block ICMP; traffic may still work.`);
    await session.disconnect();
    report = baseReport(config, started, info.timings, echo.ok, {
      ipv4: { address: info.ipv4.local, peer: info.ipv4.peer, dns: info.ipv4.dns },
      ipv6: config.ipv6 ? session.tunnel.ipv6Up : undefined,
      authMethod: info.authMethod,
      tls: tlsOf(info.tls),
      echo,
      failure: echoFailure,
    });
  }
  out.result(report);
  return report.ok ? EXIT.ok : exitCodeFor(report.failure?.code ?? 'protocol-error');
}

function waitForIpv6(session: SstpSession, ms: number): Promise<void> {
  if (session.tunnel.ipv6Up) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    const off = session.onEvent((e) => {
      if (e.type === 'ipv6-up' || e.type === 'ipv6-unavailable' || e.type === 'closed') done();
    });
    function done() {
      clearTimeout(t);
      off();
      resolve();
    }
  });
}

function tlsOf(t: { version: string; cipher: string; certificate: { sha256: string; subject: string } } | undefined): TestReport['tls'] {
  return t && { version: t.version, cipher: t.cipher, certificateSha256: t.certificate.sha256, subject: t.certificate.subject };
}

function baseReport(config: SessionConfig, started: number, timings: readonly PhaseTiming[], ok: boolean, rest: Partial<TestReport>): TestReport {
  const phases: Record<string, number> = {};
  for (const t of timings) phases[t.phase] = t.ms;
  return {
    event: 'result',
    ok,
    server: `${config.host}:${config.port}`,
    phases,
    totalMs: systemClock.now() - started,
    ...rest,
  };
}
