// DNS through the resolvconf program (Debian's resolvconf, or openresolv): a record of ours added
// with `resolvconf -a <record>` and removed with `-d`, so resolvconf keeps composing resolv.conf and
// our servers survive (and leave with) the next DHCP renew instead of being overwritten by it.
import type { DnsPlan } from './dns-resolved.js';
import type { Journal } from './journal.js';
import type { StepResult } from './step-result.js';
import type { HelperSystem } from './system.js';
import type { UndoStep } from './undo-step.js';

/**
 * resolvconf orders records by name (Debian: /etc/resolvconf/interface-order; glibc then uses the
 * first three servers). Full tunnel: `tun.<ifname>.causeway` matches its `tun*` line, ahead of every
 * LAN interface, as OpenVPN's `tun0.openvpn` does. Split: `<ifname>.causeway` falls to the last
 * line (`*`), so the system's servers stay first: resolv.conf cannot route by domain.
 */
export function resolvconfRecord(plan: DnsPlan): { readonly record: string; readonly text: string } {
  const record = `${plan.defaultRoute ? 'tun.' : ''}${plan.name}.causeway`;
  const text = [
    ...plan.servers.map((s) => `nameserver ${s}`),
    ...(plan.searchDomains.length > 0 ? [`search ${plan.searchDomains.join(' ')}`] : []),
    '',
  ].join('\n');
  return { record, text };
}

export async function applyResolvconf(
  system: HelperSystem,
  journal: Journal,
  plan: DnsPlan,
): Promise<StepResult<{ method: 'resolvconf' }>> {
  const { record, text } = resolvconfRecord(plan);
  const step: UndoStep = { kind: 'remove-resolvconf-record', group: 'dns', record };
  journal.record(step);
  const r = await system.runner.run('resolvconf', ['-a', record], text);
  if (r.code !== 0) {
    await journal.undoGroup('dns');
    return {
      ok: false,
      error: { code: 'failed', message: `resolvconf -a ${record}: ${r.stderr.trim().slice(0, 200)}` },
    };
  }
  return { ok: true, value: { method: 'resolvconf' } };
}
