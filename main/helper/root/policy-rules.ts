// The full tunnel's catch-all lives in a routing table of this tunnel's own, consulted through a pair
// of `ip rule`s placed before the main table:
//
//   pref P     lookup main suppress_prefixlength 1   main answers, unless its best route is a /0 or /1
//   pref P+1   lookup <ours>                         `default dev <tun>` (IPv6: or `unreachable default`)
//
// So everything more specific in main still wins as it did when our /1 halves lived there (the LAN,
// the server's host routes that keep the outer TLS connection out of its own tunnel, the TUN's peer,
// another VPN's split routes), while main's default route and another VPN's def1 halves (OpenVPN's
// 0.0.0.0/1 + 128.0.0.0/1) no longer count: they can neither hide ours nor catch traffic in clear
// when ours is up and they go away. The same for IPv6 with `ip -6 rule` (a separate rule list).
//
// The table number is derived from the TUN's ifindex (unique among live links) in a range of ours,
// so two helpers never share a table. P is claimed, not derived: slot i is P = PREF_BASE + 2i, and
// the kernel refuses an identical rule ("File exists"), so a successful add of the suppress rule at P
// is an atomic claim of the slot, even between two helpers starting together. Slots are claimed from
// the top down, so the newest full tunnel wins, as it does against another VPN. wg-quick uses the same
// suppress rule (with prefixlength 0 and a fwmark for its own socket); we cannot mark a Node socket,
// so the server keeps its host routes in main instead, which suppress_prefixlength 1 lets through.
import type { Journal } from './journal.js';
import { linkIndex } from './ip-json.js';
import { PREF_BASE, SLOTS, TABLE_BASE, type PolicyStep } from './policy-steps.js';
import type { StepResult } from './step-result.js';
import type { HelperSystem } from './system.js';

type Family = 4 | 6;
type PolicyGroup = PolicyStep['group'];

const fam = (family: Family): string[] => (family === 6 ? ['-6'] : []);

/** Our table for this TUN. */
export async function tunTable(system: HelperSystem, tun: string): Promise<StepResult<number>> {
  const r = await system.runner.run('ip', ['-j', 'link', 'show', 'dev', tun]);
  const index = r.code === 0 ? linkIndex(r.stdout) : undefined;
  if (index === undefined)
    return { ok: false, error: { code: 'failed', message: `no interface index for ${tun}: ${clip(r.stderr)}` } };
  return { ok: true, value: TABLE_BASE + (index & 0xffff) };
}

/** Claims a free slot and adds the rule pair for `table`, journaled; the priority of the suppress rule. */
export async function addRulePair(
  system: HelperSystem,
  journal: Journal,
  group: PolicyGroup,
  family: Family,
  table: number,
): Promise<StepResult<number>> {
  // From the last slot down: a newer tunnel's rules come before an older one's, so the tunnel connected
  // last captures (its server path, looked up before, goes through the older one: nested, not fought
  // over), and when it goes the older one has everything again.
  for (let slot = SLOTS - 1; slot >= 0; slot--) {
    const priority = PREF_BASE + 2 * slot;
    const suppress: PolicyStep = { kind: 'delete-suppress-rule', group, family, priority, table };
    journal.record(suppress);
    const r = await system.runner.run('ip', [
      ...fam(family),
      'rule',
      'add',
      'pref',
      String(priority),
      'lookup',
      'main',
      'suppress_prefixlength',
      '1',
    ]);
    if (r.code !== 0) {
      journal.forget(suppress);
      if (/File exists/.test(r.stderr)) continue; // another tunnel's slot
      return { ok: false, error: { code: 'failed', message: `ip rule add: ${clip(r.stderr)}` } };
    }
    const lookup: PolicyStep = { kind: 'delete-lookup-rule', group, family, priority: priority + 1, table };
    journal.record(lookup);
    const l = await system.runner.run('ip', [
      ...fam(family),
      'rule',
      'add',
      'pref',
      String(priority + 1),
      'lookup',
      String(table),
    ]);
    if (l.code !== 0) {
      journal.forget(lookup);
      return { ok: false, error: { code: 'failed', message: `ip rule add lookup ${table}: ${clip(l.stderr)}` } };
    }
    return { ok: true, value: priority };
  }
  return {
    ok: false,
    error: {
      code: 'failed',
      message: `all ${SLOTS} routing-rule slots of Causeway (priorities ${PREF_BASE}-${PREF_BASE + 2 * SLOTS - 1}) are taken: disconnect another tunnel, or remove stale rules (ip rule show)`,
    },
  };
}

/**
 * The table's one route: `default dev <tun>` or `unreachable default`. `replace`, so switching between
 * the two is atomic (no instant with neither); the flush step is journaled by the first call only.
 */
export async function setTableDefault(
  system: HelperSystem,
  journal: Journal,
  group: PolicyGroup,
  family: Family,
  table: number,
  route: { readonly dev: string } | 'unreachable',
  journaled: boolean,
): Promise<StepResult<Record<string, never>>> {
  const step: PolicyStep = { kind: 'flush-table', group, family, table };
  if (!journaled) journal.record(step);
  const spec = route === 'unreachable' ? ['unreachable', 'default'] : ['default', 'dev', route.dev];
  const r = await system.runner.run('ip', [...fam(family), 'route', 'replace', ...spec, 'table', String(table)]);
  if (r.code === 0) return { ok: true, value: {} };
  if (!journaled) journal.forget(step);
  return {
    ok: false,
    error: { code: 'failed', message: `ip route replace ${spec[0]} table ${table}: ${clip(r.stderr)}` },
  };
}

function clip(s: string): string {
  return s.trim().slice(0, 200);
}
