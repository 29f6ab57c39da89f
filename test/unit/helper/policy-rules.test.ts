// The policy table's undo steps: the state-file check a root process runs on them, their crash
// cleanup in order, a slot another tunnel has claimed since left alone, and the verification probes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatIp } from '../../../main/engine/addresses.js';
import { cleanupLeftovers } from '../../../main/helper/root/leftovers.js';
import { isPolicyStep, PREF_BASE, TABLE_BASE, type PolicyStep } from '../../../main/helper/root/policy-steps.js';
import { probesOf } from '../../../main/helper/root/route-check.js';
import { currentNamespaces } from '../../../main/helper/root/state-store.js';
import { undoStep, type UndoStep } from '../../../main/helper/root/undo-step.js';
import { fakeSystem } from './fake-system.js';

const T = TABLE_BASE + 7;
const policy: PolicyStep[] = [
  { kind: 'delete-suppress-rule', group: 'routes', family: 4, priority: PREF_BASE, table: T },
  { kind: 'delete-lookup-rule', group: 'routes', family: 4, priority: PREF_BASE + 1, table: T },
  { kind: 'flush-table', group: 'routes', family: 4, table: T },
  { kind: 'delete-suppress-rule', group: 'v6-routes', family: 6, priority: PREF_BASE + 2, table: T },
  { kind: 'delete-lookup-rule', group: 'v6-routes', family: 6, priority: PREF_BASE + 3, table: T },
  { kind: 'flush-table', group: 'v6-routes', family: 6, table: T },
];

test('the state-file check takes exactly our steps and nothing near them', () => {
  for (const s of policy) {
    assert.ok(isPolicyStep(s), JSON.stringify(s));
    assert.ok(undoStep(s, '').ok, JSON.stringify(s));
  }
  const bad: unknown[] = [
    { ...policy[2], table: 254 }, // main: never ours to flush
    { ...policy[2], table: TABLE_BASE + 0x10000 },
    { ...policy[0], priority: 32766 }, // main's own rule
    { ...policy[0], priority: PREF_BASE - 1 },
    { ...policy[0], family: 5 },
    { ...policy[0], group: 'dns' },
    { ...policy[2], priority: PREF_BASE }, // a field flush-table does not have
    { ...policy[1], table: String(T) },
  ];
  for (const b of bad) assert.equal(undoStep(b, '').ok, false, JSON.stringify(b));
});

test("crash cleanup undoes a dead helper's table and rules newest first, IPv6 then IPv4", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cwt-helper-state-'));
  try {
    const path = join(dir, '999998.json');
    const steps: UndoStep[] = [{ kind: 'delete-link', group: 'tun', name: 'causeway0' }, ...policy];
    const state = { version: 1, pid: 999998, startTime: '1', namespaces: currentNamespaces(), steps };
    writeFileSync(path, JSON.stringify(state), { mode: 0o600 });
    const system = fakeSystem();
    const undone = await cleanupLeftovers(system, () => {}, dir, process.getuid?.() ?? 0);
    assert.equal(undone, 7);
    assert.deepEqual(system.calls.slice(0, 8), [
      ['ip', '-6', 'route', 'flush', 'table', String(T)],
      ['ip', '-6', 'rule', 'del', 'pref', String(PREF_BASE + 3), 'lookup', String(T)],
      ['ip', '-j', '-6', 'rule', 'show', 'pref', String(PREF_BASE + 3)],
      ['ip', '-6', 'rule', 'del', 'pref', String(PREF_BASE + 2), 'lookup', 'main', 'suppress_prefixlength', '1'],
      ['ip', 'route', 'flush', 'table', String(T)],
      ['ip', 'rule', 'del', 'pref', String(PREF_BASE + 1), 'lookup', String(T)],
      ['ip', '-j', 'rule', 'show', 'pref', String(PREF_BASE + 1)],
      ['ip', 'rule', 'del', 'pref', String(PREF_BASE), 'lookup', 'main', 'suppress_prefixlength', '1'],
    ]);
    assert.equal(existsSync(path), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a suppress rule whose slot another tunnel holds now (its lookup sits right after) is left alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cwt-helper-state-'));
  try {
    const steps: UndoStep[] = [policy[0]!];
    const state = { version: 1, pid: 999997, startTime: '1', namespaces: currentNamespaces(), steps };
    writeFileSync(join(dir, '999997.json'), JSON.stringify(state), { mode: 0o600 });
    const system = fakeSystem((_p, args) =>
      args.join(' ') === `-j rule show pref ${PREF_BASE + 1}`
        ? { stdout: JSON.stringify([{ priority: PREF_BASE + 1, src: 'all', table: String(TABLE_BASE + 9) }]) }
        : undefined,
    );
    await cleanupLeftovers(system, () => {}, dir, process.getuid?.() ?? 0);
    assert.deepEqual(system.changes(), [], "the other tunnel's suppress rule is not deleted");
    // Failures that mean "already gone" are success: a flushed table that no longer exists, a rule deleted before.
    const gone = fakeSystem((_p, args) =>
      args.includes('flush')
        ? { code: 2, stderr: 'Error: ipv4: FIB table does not exist.\nFlush terminated' }
        : args.includes('del')
          ? { code: 2, stderr: 'RTNETLINK answers: No such file or directory' }
          : undefined,
    );
    writeFileSync(join(dir, '999996.json'), JSON.stringify({ ...state, pid: 999996, steps: policy }), { mode: 0o600 });
    assert.equal(await cleanupLeftovers(gone, () => {}, dir, process.getuid?.() ?? 0), policy.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('probes: the middle of a destination, then its second address; a host route is its own probe', () => {
  const cases: [string, string[]][] = [
    ['0.0.0.0/1', ['64.0.0.0', '0.0.0.1']],
    ['128.0.0.0/1', ['192.0.0.0', '128.0.0.1']],
    ['10.50.0.0/16', ['10.50.128.0', '10.50.0.1']],
    ['192.0.2.8/30', ['192.0.2.10', '192.0.2.9']],
    ['198.51.100.7/32', ['198.51.100.7']],
    ['::/1', ['4000::', '::1']],
    ['2001:db8::/32', ['2001:db8:8000::', '2001:db8::1']],
    ['2001:db8::7/128', ['2001:db8::7']],
    ['not a cidr', []],
  ];
  for (const [cidr, want] of cases) assert.deepEqual(probesOf(cidr).map(formatIp), want, cidr);
});
