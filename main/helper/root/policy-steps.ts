// The undo steps of the policy routing (policy-rules.ts): their shape, the check a root process
// runs on them when it re-reads the state file, and how each is undone. Apart from policy-rules.ts so
// undo-step.ts can use them without a circle through the journal.
import { ruleEntries } from './ip-json.js';
import type { HelperSystem } from './system.js';

/** "CW" << 16: the tables of ours are TABLE_BASE + (ifindex & 0xffff). */
export const TABLE_BASE = 0x43570000;
/** Below main (32766) and wg-quick's automatic 32765/32764; slots of two priorities each. */
export const PREF_BASE = 30000;
export const SLOTS = 32;

type Family = 4 | 6;
type PolicyGroup = 'routes' | 'v6-routes';

export type PolicyStep =
  /** `lookup main suppress_prefixlength 1` at `priority`; `table` is its partner's (the lookup at priority + 1). */
  | {
      readonly kind: 'delete-suppress-rule';
      readonly group: PolicyGroup;
      readonly family: Family;
      readonly priority: number;
      readonly table: number;
    }
  | {
      readonly kind: 'delete-lookup-rule';
      readonly group: PolicyGroup;
      readonly family: Family;
      readonly priority: number;
      readonly table: number;
    }
  /** Every route of our table for that family (it is ours alone). */
  | { readonly kind: 'flush-table'; readonly group: PolicyGroup; readonly family: Family; readonly table: number };

export function isOurTable(table: number): boolean {
  return Number.isInteger(table) && table >= TABLE_BASE && table <= TABLE_BASE + 0xffff;
}

function isOurPriority(p: unknown): p is number {
  return typeof p === 'number' && Number.isInteger(p) && p >= PREF_BASE && p < PREF_BASE + 2 * SLOTS;
}

/** For the state file a root process re-reads: exactly these fields, each in range. */
export function isPolicyStep(v: unknown): v is PolicyStep {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  const common =
    (o.group === 'routes' || o.group === 'v6-routes') &&
    (o.family === 4 || o.family === 6) &&
    typeof o.table === 'number' &&
    isOurTable(o.table);
  if (!common) return false;
  if (o.kind === 'flush-table') return keys === 'family,group,kind,table';
  if (o.kind === 'delete-suppress-rule' || o.kind === 'delete-lookup-rule')
    return keys === 'family,group,kind,priority,table' && isOurPriority(o.priority);
  return false;
}

const fam = (family: Family): string[] => (family === 6 ? ['-6'] : []);

/** For undo-step.ts's state-file check: the value, or why not. */
export function policyStepCheck(
  v: unknown,
  path: string,
):
  | { readonly ok: true; readonly value: PolicyStep }
  | { readonly ok: false; readonly path: string; readonly message: string } {
  return isPolicyStep(v)
    ? { ok: true, value: v }
    : { ok: false, path: path || '(step)', message: 'not a routing step of ours' };
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export async function undoPolicyStep(system: HelperSystem, step: PolicyStep): Promise<Outcome> {
  const { runner } = system;
  const f = fam(step.family);
  switch (step.kind) {
    case 'flush-table': {
      const r = await runner.run('ip', [...f, 'route', 'flush', 'table', String(step.table)]);
      return r.code === 0 || /table does not exist/.test(r.stderr) ? { ok: true } : failed(r.stderr);
    }
    case 'delete-lookup-rule': {
      const r = await runner.run('ip', [
        ...f,
        'rule',
        'del',
        'pref',
        String(step.priority),
        'lookup',
        String(step.table),
      ]);
      return r.code === 0 || /No such file or directory/.test(r.stderr) ? { ok: true } : failed(r.stderr);
    }
    case 'delete-suppress-rule': {
      // A journal saved just before a crash may name a slot we had already given back and another
      // tunnel has claimed since: its lookup rule sits right after; then the suppress rule is its.
      const shown = await runner.run('ip', ['-j', ...f, 'rule', 'show', 'pref', String(step.priority + 1)]);
      const next = shown.code === 0 ? (ruleEntries(shown.stdout) ?? []) : [];
      if (next.some((r) => r.table !== undefined && r.table !== String(step.table) && isOurTable(Number(r.table))))
        return { ok: true };
      const r = await runner.run('ip', [
        ...f,
        'rule',
        'del',
        'pref',
        String(step.priority),
        'lookup',
        'main',
        'suppress_prefixlength',
        '1',
      ]);
      return r.code === 0 || /No such file or directory/.test(r.stderr) ? { ok: true } : failed(r.stderr);
    }
  }
}

function failed(stderr: string): Outcome {
  return { ok: false, reason: clip(stderr) };
}

function clip(s: string): string {
  return s.trim().slice(0, 200);
}
