// What the helper did, as the steps that undo it. Recorded before each change is made (so a crash
// between the two leaves at worst a step whose undo fails harmlessly), persisted for crash cleanup,
// and replayed in reverse on teardown.
import { integer, literal, optional, refine, strictObject, string, tagged, type Check } from '../check.js';
import type { HelperSystem } from './system.js';
import { IFNAME, RESOLVCONF_RECORD } from '../protocol.js';
import { parseCidr, parseIp, parseIpv6 } from '../../engine/addresses.js';
import { policyStepCheck, undoPolicyStep, type PolicyStep } from './policy-steps.js';
import { linkKind } from './ip-json.js';

/** Which request a step belongs to, so a repeated request can replace just its own changes. */
export type StepGroup =
  | 'tun'
  | 'address'
  | 'routes'
  | 'dns'
  | 'kill-switch'
  // IPv6 (ipv6-linux.ts): the TUN's IPv6 addresses, the full tunnel's IPv6 routes, or their block.
  | 'address6'
  | 'v6-routes'
  | 'v6-block';

export type UndoStep =
  | { readonly kind: 'delete-link'; readonly group: 'tun'; readonly name: string }
  | {
      readonly kind: 'delete-address';
      readonly group: 'address';
      readonly name: string;
      readonly cidr: string;
      readonly peer?: string;
    }
  | {
      readonly kind: 'delete-route';
      readonly group: 'routes';
      readonly destination: string;
      readonly dev: string;
      readonly gateway?: string;
    }
  | { readonly kind: 'revert-resolved'; readonly group: 'dns'; readonly name: string }
  /** `resolvconf -d <record>`: the record `resolvconf -a` added for the tunnel. */
  | { readonly kind: 'remove-resolvconf-record'; readonly group: 'dns'; readonly record: string }
  | {
      readonly kind: 'restore-resolv-conf';
      readonly group: 'dns';
      readonly original: string;
      readonly written: string;
    }
  /** The kill switch's `inet causeway` table (kill-switch.ts): teardown and crash cleanup keep it. */
  | { readonly kind: 'delete-kill-switch'; readonly group: 'kill-switch' }
  | { readonly kind: 'delete-address6'; readonly group: 'address6'; readonly name: string; readonly cidr: string }
  | { readonly kind: 'delete-route6'; readonly group: 'v6-routes'; readonly destination: string; readonly dev: string }
  /** An `unreachable` route: the full tunnel's IPv6 block when the tunnel carries no IPv6. */
  | {
      readonly kind: 'delete-unreachable6';
      readonly group: 'v6-block';
      readonly destination: string;
      readonly metric: number;
    }
  /** The full tunnel's table and its two rules (policy-steps.ts). */
  | PolicyStep;

// The state file is re-read by a root process: every field is validated again on the way in.
const name = string({ pattern: IFNAME, message: 'not an interface name' });
const cidrText = refine(string(), (s) => parseCidr(s).ok, 'not a CIDR');
const ipText = refine(string(), (s) => parseIp(s) !== undefined, 'not an IP address');
/** An interface address keeps its host bits (2001:db8::5/64), which a CIDR may not have. */
const ipv6Interface = refine(
  string(),
  (s) => {
    const [address = '', prefix = '', ...rest] = s.split('/');
    return (
      rest.length === 0 && parseIpv6(address) !== undefined && /^(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-8])$/.test(prefix)
    );
  },
  'not an IPv6 interface address',
);
/** configure's own IPv6 address (fe80::…/64) is an interface address, not a CIDR. */
const addressText = refine(string(), (s) => parseCidr(s).ok || ipv6Interface(s, '').ok, 'not an address');
const resolvConfText = string({ max: 64 * 1024, message: 'too long' });

const variants = {
  'delete-link': strictObject({ kind: literal('delete-link'), group: literal('tun'), name }),
  'delete-address': strictObject({
    kind: literal('delete-address'),
    group: literal('address'),
    name,
    cidr: addressText,
    peer: optional(cidrText),
  }),
  'delete-route': strictObject({
    kind: literal('delete-route'),
    group: literal('routes'),
    destination: cidrText,
    dev: name,
    gateway: optional(ipText),
  }),
  'revert-resolved': strictObject({ kind: literal('revert-resolved'), group: literal('dns'), name }),
  'remove-resolvconf-record': strictObject({
    kind: literal('remove-resolvconf-record'),
    group: literal('dns'),
    record: string({ pattern: RESOLVCONF_RECORD, message: 'not a resolvconf record of ours' }),
  }),
  'restore-resolv-conf': strictObject({
    kind: literal('restore-resolv-conf'),
    group: literal('dns'),
    original: resolvConfText,
    written: resolvConfText,
  }),
  'delete-kill-switch': strictObject({ kind: literal('delete-kill-switch'), group: literal('kill-switch') }),
  'delete-address6': strictObject({
    kind: literal('delete-address6'),
    group: literal('address6'),
    name,
    cidr: ipv6Interface,
  }),
  'delete-route6': strictObject({
    kind: literal('delete-route6'),
    group: literal('v6-routes'),
    destination: cidrText,
    dev: name,
  }),
  'delete-unreachable6': strictObject({
    kind: literal('delete-unreachable6'),
    group: literal('v6-block'),
    destination: cidrText,
    metric: integer(0, 0xffffffff),
  }),
  'flush-table': policyStepCheck,
  'delete-lookup-rule': policyStepCheck,
  'delete-suppress-rule': policyStepCheck,
} satisfies Record<UndoStep['kind'], Check<UndoStep, unknown>>;
export const undoStep: Check<UndoStep, unknown> = tagged('kind', variants);

export type UndoOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export async function performUndo(system: HelperSystem, step: UndoStep): Promise<UndoOutcome> {
  const { runner } = system;
  switch (step.kind) {
    case 'delete-link': {
      // Only ever delete a TUN: after a crash the name may have been reused by something else.
      const shown = await runner.run('ip', ['-j', '-d', 'link', 'show', 'dev', step.name]);
      if (shown.code !== 0) return { ok: true }; // already gone
      if (linkKind(shown.stdout) !== 'tun') return { ok: false, reason: `${step.name} is no longer a TUN; left alone` };
      return outcome(await runner.run('ip', ['link', 'delete', 'dev', step.name]));
    }
    case 'delete-address': {
      // A point-to-point address is keyed by its peer too.
      const peer = step.peer === undefined ? [] : ['peer', step.peer];
      return outcome(await runner.run('ip', ['addr', 'del', step.cidr, ...peer, 'dev', step.name]));
    }
    case 'delete-route': {
      const via = step.gateway === undefined ? [] : ['via', step.gateway];
      return outcome(await runner.run('ip', ['route', 'del', step.destination, ...via, 'dev', step.dev]));
    }
    case 'revert-resolved': {
      // resolved forgets a link's settings when the link goes: a TUN already gone is nothing to undo.
      const r = await runner.run('resolvectl', ['revert', step.name]);
      if (r.code !== 0 && /Failed to resolve interface|Unknown interface|No such device/i.test(r.stderr))
        return { ok: true };
      return outcome(r);
    }
    case 'remove-resolvconf-record':
      return outcome(await runner.run('resolvconf', ['-d', step.record]));
    case 'restore-resolv-conf': {
      // Someone else (DHCP, the user) rewrote it since: theirs is newer than our backup.
      if (system.readResolvConf() !== step.written)
        return { ok: false, reason: 'resolv.conf changed since; left alone' };
      system.writeResolvConf(step.original);
      return { ok: true };
    }
    case 'delete-address6':
      return outcome(await runner.run('ip', ['-6', 'addr', 'del', step.cidr, 'dev', step.name]));
    case 'delete-route6':
      return outcome(await runner.run('ip', ['-6', 'route', 'del', step.destination, 'dev', step.dev]));
    case 'delete-unreachable6': {
      const metric = String(step.metric);
      return outcome(await runner.run('ip', ['-6', 'route', 'del', 'unreachable', step.destination, 'metric', metric]));
    }
    case 'flush-table':
    case 'delete-lookup-rule':
    case 'delete-suppress-rule':
      return undoPolicyStep(system, step);
    case 'delete-kill-switch': {
      const r = await runner.run('nft', ['delete', 'table', 'inet', 'causeway']);
      return r.code === 0 || /No such file or directory/.test(r.stderr) ? { ok: true } : outcome(r);
    }
  }
}

function outcome(r: { code: number; stderr: string }): UndoOutcome {
  if (r.code === 0) return { ok: true };
  // The link is gone already (it takes its addresses and routes with it): nothing left to undo.
  if (/Cannot find device|No such process|No such device|Cannot assign requested address/.test(r.stderr))
    return { ok: true };
  return { ok: false, reason: r.stderr.trim().slice(0, 200) };
}
