// What the helper did, as the steps that undo it. Recorded before each change is made (so a crash
// between the two leaves at worst a step whose undo fails harmlessly), persisted for crash cleanup,
// and replayed in reverse on teardown.
import { z } from 'zod';
import type { HelperSystem } from './system.js';
import { IFNAME, RESOLVCONF_RECORD } from '../protocol.js';
import { parseCidr, parseIp, parseIpv6 } from '../../engine/addresses.js';

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
    };

// The state file is re-read by a root process: every field is validated again on the way in.
const name = z.string().regex(IFNAME);
const cidrText = z.string().refine((s) => parseCidr(s).ok);
const ipText = z.string().refine((s) => parseIp(s) !== undefined);
/** An interface address keeps its host bits (2001:db8::5/64), which a CIDR may not have. */
const ipv6Interface = z.string().refine((s) => {
  const [address = '', prefix = '', ...rest] = s.split('/');
  return (
    rest.length === 0 && parseIpv6(address) !== undefined && /^(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-8])$/.test(prefix)
  );
});
export const undoStep = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('delete-link'), group: z.literal('tun'), name }),
  z.strictObject({
    kind: z.literal('delete-address'),
    group: z.literal('address'),
    name,
    // configure's own IPv6 address (fe80::…/64) is an interface address, not a CIDR.
    cidr: z.union([cidrText, ipv6Interface]),
    peer: cidrText.optional(),
  }),
  z.strictObject({
    kind: z.literal('delete-route'),
    group: z.literal('routes'),
    destination: cidrText,
    dev: name,
    gateway: ipText.optional(),
  }),
  z.strictObject({ kind: z.literal('revert-resolved'), group: z.literal('dns'), name }),
  z.strictObject({
    kind: z.literal('remove-resolvconf-record'),
    group: z.literal('dns'),
    record: z.string().regex(RESOLVCONF_RECORD),
  }),
  z.strictObject({
    kind: z.literal('restore-resolv-conf'),
    group: z.literal('dns'),
    original: z.string().max(64 * 1024),
    written: z.string().max(64 * 1024),
  }),
  z.strictObject({ kind: z.literal('delete-kill-switch'), group: z.literal('kill-switch') }),
  z.strictObject({ kind: z.literal('delete-address6'), group: z.literal('address6'), name, cidr: ipv6Interface }),
  z.strictObject({ kind: z.literal('delete-route6'), group: z.literal('v6-routes'), destination: cidrText, dev: name }),
  z.strictObject({
    kind: z.literal('delete-unreachable6'),
    group: z.literal('v6-block'),
    destination: cidrText,
    metric: z.number().int().min(0).max(0xffffffff),
  }),
]);

export type UndoOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export async function performUndo(system: HelperSystem, step: UndoStep): Promise<UndoOutcome> {
  const { runner } = system;
  switch (step.kind) {
    case 'delete-link': {
      // Only ever delete a TUN: after a crash the name may have been reused by something else.
      const shown = await runner.run('ip', ['-j', '-d', 'link', 'show', 'dev', step.name]);
      if (shown.code !== 0) return { ok: true }; // already gone
      if (!isTun(shown.stdout)) return { ok: false, reason: `${step.name} is no longer a TUN; left alone` };
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

const linkDetails = z.array(z.object({ linkinfo: z.object({ info_kind: z.string() }).optional() }));

function isTun(json: string): boolean {
  try {
    const parsed = linkDetails.safeParse(JSON.parse(json));
    return parsed.success && parsed.data[0]?.linkinfo?.info_kind === 'tun';
  } catch {
    return false;
  }
}
