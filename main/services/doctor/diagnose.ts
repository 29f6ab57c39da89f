// The one "test a connection" routine: `causeway test`, `causeway doctor`, the app's Test button and
// its Doctor panel all run this, so they cannot disagree. One full attempt with the whole trace kept:
// DNS, the session's phases, IPv6CP when asked, a ping through the tunnel, optionally the path MTU,
// a clean disconnect; then a verdict per phase, advice for a failure, and the server family recognised.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Advice, DoctorFailure, DoctorPhase, DoctorReport, MtuCheck, Verdict } from '../../contract/doctor.js';
import { systemClock, type Clock } from '../../engine/clock.js';
import { dialingAddress, type SessionConfig } from '../../engine/config.js';
import type { SessionFailure } from '../../engine/failure.js';
import type { LogEntry, LogSink } from '../../engine/log.js';
import { pingOnce, type PingOutcome } from '../../engine/packet/ping.js';
import type { SessionDeps, SessionEvent, TunnelInfo } from '../../engine/session.js';
import type { PhaseTiming } from '../../engine/timings.js';
import type { SessionFactory, SessionLike } from '../connections/ports.js';
import { adviceFor } from './advice.js';
import { probePathMtu } from './mtu-probe.js';
import { emptyObservations, observe } from './observe.js';
import { recogniseServer } from './recognise.js';
import { buildTimeline, type TimelineInput } from './timeline.js';
import { withOneTimeCodeHint } from './one-time-code.js';

export interface DiagnoseDeps {
  readonly createSession: SessionFactory;
  readonly clock?: Clock;
  /** Every trace line, as it happens (the attempt's log file, the CLI's -v). */
  readonly log?: LogSink;
  /** Name resolution (tests stand in for it); dns.lookup by default. */
  readonly resolve?: (host: string) => Promise<string>;
  readonly sessionDeps?: Omit<SessionDeps, 'log' | 'clock'>;
}

export interface DiagnoseOptions {
  /** Run the MTU check; `target` overrides the server's tunnel address as the far end. */
  readonly mtu?: false | { readonly target?: string };
  readonly echoTimeoutMs?: number;
  readonly ipv6WaitMs?: number;
  /** Progress for a live display. */
  readonly onPhase?: (phase: DoctorPhase) => void;
  readonly onEvent?: (e: SessionEvent) => void;
  /** The password carries a one-time code: a refused sign-in then says a code works once. */
  readonly oneTimeCode?: boolean;
}

/** The report, plus the engine values the CLI and app views still need. */
export interface Diagnosis {
  readonly report: DoctorReport;
  readonly failure?: SessionFailure;
  readonly timings: readonly PhaseTiming[];
  readonly info?: TunnelInfo;
  readonly echo?: PingOutcome;
}

/** Trace lines kept per attempt (a hostile server must not grow the report without end). */
const TRACE_CAP = 4000;

export async function diagnose(
  config: SessionConfig,
  deps: DiagnoseDeps,
  opts: DiagnoseOptions = {},
): Promise<Diagnosis> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const trace: LogEntry[] = [];
  const seen = emptyObservations();
  const sink: LogSink = (e) => {
    observe(seen, e);
    if (trace.length < TRACE_CAP) trace.push(e);
    deps.log?.(e);
  };
  const target = config.proxy ?? config;
  const base = {
    format: 'causeway-doctor/1' as const,
    server: `${config.host}:${config.port}`,
    ...(config.proxy ? { proxy: `${config.proxy.host}:${config.proxy.port}` } : {}),
    startedAt: new Date(started).toISOString(),
  };

  // --- DNS ---
  opts.onPhase?.('dns');
  const dnsStart = clock.now();
  let dns: TimelineInput['dns'];
  let dialled = config;
  if (config.address !== undefined || config.proxy?.address !== undefined || isIP(target.host) !== 0) {
    dns = {
      verdict: 'skipped',
      ms: null,
      summary: isIP(target.host) !== 0 ? `${target.host} is an address` : 'address resolved beforehand',
    };
  } else {
    try {
      const address = await (deps.resolve ?? defaultResolve)(target.host);
      dns = { verdict: 'ok', ms: clock.now() - dnsStart, summary: `${target.host} → ${address}` };
      dialled = dialingAddress(config, address);
      sink({ time: clock.now(), level: 'info', phase: 'tcp', message: `resolved ${target.host} to ${address}` });
    } catch (e) {
      const f: DoctorFailure = {
        phase: 'dns',
        code: 'network-unreachable',
        message: `The host name ${target.host} could not be resolved.`,
        detail: String(e),
      };
      const advice = adviceFor({ failure: f, viaProxy: !!config.proxy });
      const phases = buildTimeline({
        config,
        dns: { verdict: 'failed', ms: clock.now() - dnsStart, summary: f.message },
        timings: [],
        failedAt: { phase: 'dns', advice, summary: f.message },
        summaries: {},
        mtuRequested: !!opts.mtu,
      });
      // The session's own vocabulary has no DNS phase: a name that does not resolve is a TCP-level failure.
      const sf: SessionFailure = {
        phase: 'tcp',
        code: f.code,
        message: f.message,
        ...(f.detail !== undefined ? { detail: f.detail } : {}),
      };
      return {
        report: { ...base, totalMs: clock.now() - started, ok: false, phases, failure: f, quirks: [], trace },
        failure: sf,
        timings: [],
      };
    }
  }

  // --- the session ---
  const session: SessionLike = deps.createSession(dialled, { ...deps.sessionDeps, log: sink, clock });
  let ipv6: { verdict: Verdict; at: number; reason?: string } | undefined;
  const ipcpStart = { at: clock.now() };
  const off = session.onEvent((e) => {
    opts.onEvent?.(e);
    if (e.type === 'phase') {
      opts.onPhase?.(e.phase === 'connected' ? 'data' : e.phase === 'disconnect' ? 'data' : e.phase);
      if (e.phase === 'ipcp') ipcpStart.at = clock.now();
    }
    if (e.type === 'ipv6-up') ipv6 = { verdict: 'ok', at: clock.now() };
    if (e.type === 'ipv6-unavailable') ipv6 = { verdict: 'warning', at: clock.now(), reason: e.reason };
  });
  try {
    const outcome = await session.connect();
    if (!outcome.ok) {
      const f = opts.oneTimeCode ? withOneTimeCodeHint(outcome.failure) : outcome.failure;
      const failedPhase: DoctorPhase = f.phase === 'connected' || f.phase === 'disconnect' ? 'data' : f.phase;
      const df: DoctorFailure = {
        phase: f.phase,
        code: f.code,
        message: f.message,
        ...(f.detail !== undefined ? { detail: f.detail } : {}),
      };
      const advice = adviceFor({
        failure: df,
        ...(f.certificate ? { certificate: f.certificate } : {}),
        ...(seen.offeredHashes !== undefined ? { offeredHashes: seen.offeredHashes } : {}),
        viaProxy: !!config.proxy,
        lostIn: failedPhase,
      });
      const summaries = sessionSummaries(outcome.tls, undefined, seen.offeredHashes);
      const phases = buildTimeline({
        config,
        dns,
        timings: outcome.timings,
        failedAt: { phase: failedPhase, advice, summary: f.message },
        summaries,
        mtuRequested: !!opts.mtu,
      });
      const certificate = f.certificate ?? outcome.tls?.certificate;
      const report: DoctorReport = {
        ...base,
        totalMs: clock.now() - started,
        ok: false,
        phases,
        failure: df,
        ...(certificate ? { certificate } : {}),
        ...(outcome.tls ? { tls: tlsOf(outcome.tls) } : {}),
        ...(seen.offeredHashes !== undefined ? { binding: seen.offeredHashes } : {}),
        quirks: recogniseServer(seen),
        trace,
      };
      return { report, failure: f, timings: outcome.timings };
    }
    const info = outcome.info;
    // SoftEther finishes IPv6CP a few seconds after IPv4: wait for it (bounded) when IPv6 is on.
    if (config.ipv6 && !ipv6) await waitFor(session, clock, opts.ipv6WaitMs ?? 8_000, () => ipv6 !== undefined);

    // --- data check ---
    opts.onPhase?.('data');
    const dataStart = clock.now();
    const peer = info.ipv4.peer;
    const echo: PingOutcome = peer
      ? await pingOnce(session, clock, info.ipv4.local, peer, opts.echoTimeoutMs ?? 5_000)
      : { ok: false, reason: 'the server did not announce its own address, so there is nothing to ping' };
    const dataMs = clock.now() - dataStart;
    let echoFailure: SessionFailure | undefined;
    let data: TimelineInput['data'];
    if (echo.ok) data = { verdict: 'ok', ms: dataMs, summary: `echo reply from ${echo.from} in ${echo.rttMs} ms` };
    else {
      echoFailure = {
        phase: 'connected',
        code: 'data-path-failed',
        message: `The tunnel came up but the server's address ${peer ?? '(none)'} did not answer a ping: ${echo.reason}. The server may block ICMP; traffic may still work.`,
      };
      data = {
        verdict: 'failed',
        ms: dataMs,
        summary: echo.reason,
        advice: adviceFor({ failure: echoFailure, viaProxy: !!config.proxy }),
      };
    }

    // --- MTU check ---
    let mtu: TimelineInput['mtu'];
    let mtuCheck: MtuCheck | undefined;
    if (opts.mtu && echo.ok) {
      opts.onPhase?.('mtu');
      const mtuStart = clock.now();
      const linkMtu = Math.min(info.mru, info.peerMru);
      const mtuTarget = opts.mtu.target ?? peer ?? info.ipv4.local;
      mtuCheck = await probePathMtu(session, clock, {
        source: info.ipv4.local,
        target: mtuTarget,
        linkMtu,
        timeoutMs: Math.min(2_000, Math.max(400, echo.rttMs * 4 + 200)),
      });
      mtu = {
        check: mtuCheck,
        ms: clock.now() - mtuStart,
        ...(mtuAdvice(mtuCheck) ? { advice: mtuAdvice(mtuCheck) as Advice } : {}),
      };
    }

    await session.disconnect();
    const v6 = ipv6 as { verdict: Verdict; at: number; reason?: string } | undefined;
    const ipv6Result: TimelineInput['ipv6'] = v6
      ? v6.verdict === 'ok'
        ? { verdict: 'ok', ms: v6.at - ipcpStart.at, summary: 'IPv6 interface identifiers agreed' }
        : {
            verdict: 'warning',
            ms: v6.at - ipcpStart.at,
            summary: `IPv6 not available: ${v6.reason ?? 'refused'}`,
            advice: {
              id: 'ipv6-refused',
              meaning: 'The server does not offer IPv6 on this tunnel.',
              action: 'Nothing to do unless you need IPv6 through the VPN: then ask the administrator.',
            },
          }
      : config.ipv6
        ? {
            verdict: 'warning',
            ms: null,
            summary: 'IPv6CP did not finish in time',
            advice: {
              id: 'ipv6-slow',
              meaning: 'The server did not settle IPv6 within the wait.',
              action: 'IPv4 works; IPv6 may come up later or not at all.',
            },
          }
        : undefined;
    const summaries = sessionSummaries(info.tls, info, seen.offeredHashes);
    const phases = buildTimeline({
      config,
      dns,
      timings: info.timings,
      summaries,
      ...(ipv6Result ? { ipv6: ipv6Result } : {}),
      data,
      ...(mtu ? { mtu } : {}),
      mtuRequested: !!opts.mtu,
    });
    const report: DoctorReport = {
      ...base,
      totalMs: clock.now() - started,
      ok: echo.ok,
      phases,
      ...(echoFailure
        ? { failure: { phase: echoFailure.phase, code: echoFailure.code, message: echoFailure.message } }
        : {}),
      certificate: info.tls.certificate,
      tls: tlsOf(info.tls),
      ...(seen.offeredHashes !== undefined ? { binding: seen.offeredHashes } : {}),
      authMethod: info.authMethod,
      ipv4: { address: info.ipv4.local, peer: info.ipv4.peer, dns: info.ipv4.dns },
      ...(config.ipv6 ? { ipv6: v6?.verdict === 'ok' } : {}),
      mru: info.mru,
      peerMru: info.peerMru,
      echo: echo.ok ? { ok: true, rttMs: echo.rttMs } : { ok: false, reason: echo.reason },
      ...(mtuCheck ? { mtu: mtuCheck } : {}),
      quirks: recogniseServer(seen),
      trace,
    };
    return { report, ...(echoFailure ? { failure: echoFailure } : {}), timings: info.timings, info, echo };
  } finally {
    off();
  }
}

function defaultResolve(host: string): Promise<string> {
  return lookup(host).then((r) => r.address);
}

type PublicTls = TunnelInfo['tls'];

function tlsOf(t: PublicTls): NonNullable<DoctorReport['tls']> {
  return {
    version: t.version,
    cipher: t.cipher,
    certificateSha256: t.certificate.sha256,
    subject: t.certificate.subject,
  };
}

function sessionSummaries(
  tls: PublicTls | undefined,
  info: TunnelInfo | undefined,
  hashes: string | undefined,
): Partial<Record<DoctorPhase, string>> {
  return {
    tcp: 'connected',
    proxy: 'CONNECT accepted',
    ...(tls ? { tls: `${tls.version} ${tls.cipher}, certificate ${tls.certificate.subject}` } : {}),
    http: 'SSTP_DUPLEX_POST answered 200',
    sstp: hashes ? `call accepted; crypto binding offered: ${hashes}` : 'call accepted',
    ...(info
      ? {
          lcp: `MRU ${info.mru}, server MRU ${info.peerMru}`,
          auth: info.authMethod ? `authenticated with ${info.authMethod}` : 'no authentication asked',
          ipcp: `address ${info.ipv4.local}, peer ${info.ipv4.peer ?? '(none)'}${info.ipv4.dns.length ? `, DNS ${info.ipv4.dns.join(', ')}` : ''}`,
        }
      : {}),
  };
}

function mtuAdvice(c: MtuCheck): Advice | undefined {
  if (!c.ok)
    return {
      id: 'mtu-unknown',
      meaning: 'The path MTU could not be measured: the far end does not answer pings of any size.',
      action: 'Nothing to do unless large transfers stall; then lower the MTU in the profile (1400 is a safe start).',
    };
  if (c.pathMtu >= c.linkMtu) return undefined;
  return {
    id: 'mtu-small',
    meaning: `Packets larger than ${c.pathMtu} bytes do not cross the tunnel (the link allows ${c.linkMtu}): large TCP transfers would stall without clamping.`,
    action: `Set the profile's MTU to ${c.recommendedMru} and turn on MSS clamping (TCP MSS ${c.recommendedMss}).`,
  };
}

function waitFor(session: SessionLike, clock: Clock, ms: number, settled: () => boolean): Promise<void> {
  if (settled()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = clock.after(ms, done);
    const off = session.onEvent((e) => {
      if (e.type === 'ipv6-up' || e.type === 'ipv6-unavailable' || e.type === 'closed') done();
    });
    function done() {
      timer.cancel();
      off();
      resolve();
    }
  });
}
