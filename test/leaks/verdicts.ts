// What each probe's packets say (tunneled / blocked / leaked), what each state promises, and the
// table the suite prints. Kept apart from the namespaces so the judging is unit-tested on its own.
import { ARPHRD_TUN, type IpPacket } from './pcap.js';
import { isProbePacket, PROBES, type ProbeId } from './probes.js';

/**
 * leaked: seen arriving on the outer (LAN/Internet) side, outside the tunnel. tunneled: written into
 * the TUN and not seen outside. blocked: seen on neither (rejected or dropped on the client).
 */
export type Verdict = 'tunneled' | 'blocked' | 'leaked';

export type KillSwitch = 'off' | 'on' | 'always';

export type StateId = 'control' | 'connecting' | 'full' | 'split' | 'reconnecting' | 'killed' | 'disconnected';

export const STATE_LABELS: Record<StateId, string> = {
  control: 'control (VPN off)',
  connecting: 'connecting (server slowed)',
  full: 'connected, full tunnel',
  split: 'connected, split',
  reconnecting: 'reconnecting (server killed)',
  killed: 'engine killed (SIGKILL)',
  disconnected: 'after disconnect',
};

export interface Row {
  readonly state: StateId;
  readonly killSwitch: KillSwitch;
  /** undefined: the row could not run, `skipped` says why (printed, never counted as a pass). */
  readonly verdicts?: Readonly<Record<ProbeId, Verdict>>;
  /** What the probe program saw locally, per probe. */
  readonly local?: Readonly<Record<string, string>>;
  readonly skipped?: string;
}

export function classify(id: ProbeId, nonce: string, outer: readonly IpPacket[], inner: readonly IpPacket[]): Verdict {
  if (outer.some((p) => isProbePacket(id, nonce, p))) return 'leaked';
  if (inner.some((p) => p.arphrd === ARPHRD_TUN && isProbePacket(id, nonce, p))) return 'tunneled';
  return 'blocked';
}

export function classifyAll(
  nonce: string,
  outer: readonly IpPacket[],
  inner: readonly IpPacket[],
): Record<ProbeId, Verdict> {
  const out = {} as Record<ProbeId, Verdict>;
  for (const p of PROBES) out[p.id] = classify(p.id, nonce, outer, inner);
  return out;
}

/**
 * What the mode promises for a probe in a state: 'no-leak' (a leak fails the suite), 'must-tunnel'
 * (the VPN's own network in any connected state), 'seen' (the control run: a probe that does not
 * arrive outside with the VPN off cannot detect anything), or 'none' (leaking is the design: split
 * traffic, or no kill switch while the tunnel is not up).
 */
export type Promise_ = 'no-leak' | 'must-tunnel' | 'seen' | 'none';

export function promiseFor(state: StateId, ks: KillSwitch, probe: ProbeId): Promise_ {
  if (state === 'control') return 'seen';
  if (state === 'full') return probe === 'tcp-vpn-lan' ? 'must-tunnel' : 'no-leak';
  if (state === 'split') return probe === 'tcp-vpn-lan' ? 'must-tunnel' : ks === 'off' ? 'none' : 'no-leak';
  // Not connected: only a kill switch promises anything; 'on' ends with a clean disconnect.
  if (state === 'disconnected') return ks === 'always' ? 'no-leak' : 'none';
  return ks === 'off' ? 'none' : 'no-leak';
}

/**
 * Leaks that the product promises to stop and does not yet: each is shown as a leak in the table and
 * does not fail the run, but must still leak (once fixed, the entry has to go, or the run fails).
 */
export interface KnownGap {
  readonly state: StateId;
  readonly killSwitch: KillSwitch;
  readonly probe: ProbeId;
  readonly why: string;
  /**
   * false while the fix is landing from another change: a gap that stopped leaking is then a note
   * (the entry should go), not a failure. Default true: it must still leak.
   */
  readonly mustStillLeak?: boolean;
}

export function judge(rows: readonly Row[], gaps: readonly KnownGap[]): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    if (!row.verdicts) continue;
    for (const { id } of PROBES) {
      const v = row.verdicts[id];
      const where = `${STATE_LABELS[row.state]} / kill switch ${row.killSwitch} / ${id}`;
      const gap = gaps.find((g) => g.state === row.state && g.killSwitch === row.killSwitch && g.probe === id);
      const promise = promiseFor(row.state, row.killSwitch, id);
      if (gap) {
        if (v !== 'leaked' && gap.mustStillLeak !== false)
          problems.push(`${where}: known gap "${gap.why}" no longer leaks (${v}): remove it from KNOWN_GAPS`);
        continue;
      }
      if (promise === 'seen' && v !== 'leaked')
        problems.push(
          `${where}: the control run did not see this probe outside (${v}): the probe cannot detect a leak`,
        );
      if (promise === 'no-leak' && v === 'leaked') problems.push(`${where}: LEAKED where the mode promises none`);
      if (promise === 'must-tunnel' && v !== 'tunneled') problems.push(`${where}: expected through the tunnel, ${v}`);
    }
  }
  return problems;
}

function cell(row: Row, id: ProbeId, gaps: readonly KnownGap[]): string {
  const v = row.verdicts?.[id];
  if (!v) return '-';
  const gap = gaps.some((g) => g.state === row.state && g.killSwitch === row.killSwitch && g.probe === id);
  if (v !== 'leaked') return gap ? `${v}(gap fixed)` : v;
  if (gap) return 'LEAKED(gap)';
  const p = promiseFor(row.state, row.killSwitch, id);
  return p === 'seen' ? 'leaked(ctl)' : p === 'none' ? 'leaked(ok)' : 'LEAKED';
}

export function formatTable(rows: readonly Row[], gaps: readonly KnownGap[]): string {
  const head = ['state', 'kill switch', ...PROBES.map((p) => p.label)];
  const full = rows
    .filter((r) => r.verdicts)
    .map((r) => [STATE_LABELS[r.state], r.killSwitch, ...PROBES.map((p) => cell(r, p.id, gaps))]);
  const widths = head.map((h, i) =>
    Math.max(
      h.length,
      ...rows.map((r) => (i === 0 ? STATE_LABELS[r.state].length : 0)),
      ...full.map((b) => b[i]?.length ?? 0),
    ),
  );
  const line = (cols: readonly string[]) => cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  const body = rows.map((r) =>
    r.verdicts
      ? line([STATE_LABELS[r.state], r.killSwitch, ...PROBES.map((p) => cell(r, p.id, gaps))])
      : `${line([STATE_LABELS[r.state], r.killSwitch])} | (${r.skipped ?? 'not run'})`,
  );
  const legend = [
    'tunneled: went into the TUN, not seen outside; blocked: seen nowhere; leaked: arrived outside the tunnel.',
    'leaked(ctl): control run, must be seen; leaked(ok): the mode promises nothing here;',
    'LEAKED(gap): a promised block not built yet (KNOWN_GAPS); (gap fixed): such a gap that no longer leaks;',
    'LEAKED: a leak where none is promised (fails the run).',
  ];
  const gapLines = gaps.map((g) => `known gap: ${STATE_LABELS[g.state]} / ${g.killSwitch} / ${g.probe}: ${g.why}`);
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body, '', ...legend, ...gapLines].join('\n');
}
