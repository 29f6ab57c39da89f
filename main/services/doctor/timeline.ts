// The doctor's phase timeline from what the attempt produced: the session's phase timings, where it
// failed, and the checks after it (IPv6CP, data, MTU). One verdict per phase, advice on the failed one.
import type { Advice, DoctorPhase, DoctorPhaseResult, MtuCheck, Verdict } from '../../contract/doctor.js';
import { DOCTOR_PHASES } from '../../contract/doctor.js';
import type { SessionConfig } from '../../engine/config.js';
import type { PhaseTiming } from '../../engine/timings.js';

export interface TimelineInput {
  readonly config: SessionConfig;
  readonly dns: { readonly verdict: Verdict; readonly ms: number | null; readonly summary: string };
  readonly timings: readonly PhaseTiming[];
  /** The phase the attempt stopped in, and the advice for it. */
  readonly failedAt?: { readonly phase: DoctorPhase; readonly advice: Advice; readonly summary: string };
  /** One line per session phase that completed (TLS version, auth method, address…). */
  readonly summaries: Partial<Record<DoctorPhase, string>>;
  readonly ipv6?: {
    readonly verdict: Verdict;
    readonly ms: number | null;
    readonly summary: string;
    readonly advice?: Advice;
  };
  readonly data?: {
    readonly verdict: Verdict;
    readonly ms: number | null;
    readonly summary: string;
    readonly advice?: Advice;
  };
  readonly mtu?: { readonly check: MtuCheck; readonly ms: number; readonly advice?: Advice };
  readonly mtuRequested: boolean;
}

export function buildTimeline(t: TimelineInput): DoctorPhaseResult[] {
  const ms = new Map<string, number>();
  for (const x of t.timings) ms.set(x.phase, (ms.get(x.phase) ?? 0) + x.ms);
  const failedIndex = t.failedAt ? DOCTOR_PHASES.indexOf(t.failedAt.phase) : -1;
  return DOCTOR_PHASES.map((phase, i): DoctorPhaseResult => {
    if (phase === 'dns')
      return { phase, ...t.dns, ...(t.dns.verdict === 'failed' && t.failedAt ? { advice: t.failedAt.advice } : {}) };
    if (t.failedAt && i === failedIndex)
      return { phase, verdict: 'failed', ms: null, summary: t.failedAt.summary, advice: t.failedAt.advice };
    const after = failedIndex !== -1 && i > failedIndex;
    if (phase === 'proxy' && !t.config.proxy)
      return { phase, verdict: 'skipped', ms: null, summary: 'no proxy configured' };
    if (phase === 'ipv6cp' && !t.config.ipv6)
      return { phase, verdict: 'skipped', ms: null, summary: 'IPv6 is off in this profile' };
    if (phase === 'mtu' && !t.mtuRequested) return { phase, verdict: 'skipped', ms: null, summary: 'not asked for' };
    if (after) return { phase, verdict: 'not-reached', ms: null, summary: `not reached: ${t.failedAt?.phase} failed` };
    if (phase === 'ipv6cp' && t.ipv6) return { phase, ...t.ipv6 };
    if (phase === 'data' && t.data) return { phase, ...t.data };
    if (phase === 'mtu' && t.mtu) return mtuResult(t.mtu.check, t.mtu.ms, t.mtu.advice);
    const took = ms.get(phase);
    if (took !== undefined) return { phase, verdict: 'ok', ms: took, summary: t.summaries[phase] ?? 'done' };
    return { phase, verdict: 'not-reached', ms: null, summary: 'not reached' };
  });
}

function mtuResult(c: MtuCheck, ms: number, advice: Advice | undefined): DoctorPhaseResult {
  if (!c.ok) return { phase: 'mtu', verdict: 'warning', ms, summary: c.reason, ...(advice ? { advice } : {}) };
  const summary =
    c.pathMtu === c.linkMtu
      ? `path MTU ${c.pathMtu} (the whole PPP link MTU) to ${c.target}; MSS ${c.recommendedMss}`
      : `path MTU ${c.pathMtu} to ${c.target}, below the PPP link MTU ${c.linkMtu}: use MRU ${c.recommendedMru} and clamp TCP MSS to ${c.recommendedMss}`;
  return {
    phase: 'mtu',
    verdict: c.pathMtu === c.linkMtu ? 'ok' : 'warning',
    ms,
    summary,
    ...(advice ? { advice } : {}),
  };
}
