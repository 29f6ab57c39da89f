// DNS through systemd-resolved: per-link servers and domains on the TUN, so resolved routes the
// right queries into the tunnel and leaves every other link's settings alone.
//
// Through `resolvectl`, not our own D-Bus client: it ships in the same package as resolved (so it is
// there whenever resolved is), calls exactly org.freedesktop.resolve1's SetLinkDNS, SetLinkDomains,
// SetLinkDefaultRoute and RevertLink, and keeps a D-Bus implementation out of this root process.
import type { Journal } from './journal.js';
import type { StepResult } from './step-result.js';
import type { HelperSystem } from './system.js';
import type { UndoStep } from './undo-step.js';

export interface DnsPlan {
  readonly name: string;
  readonly servers: readonly string[];
  readonly searchDomains: readonly string[];
  /** Full tunnel: every query goes to the tunnel's servers. */
  readonly defaultRoute: boolean;
}

/**
 * The resolvectl calls, in order. Full tunnel: the search domains plus the `~.` routing domain and
 * default-route yes, so every name goes to the tunnel's servers. Split: only the search domains
 * (which are routing domains too), default-route no, so nothing else is sent into the tunnel.
 */
export function resolvedCalls(plan: DnsPlan): string[][] {
  return [
    ['dns', plan.name, ...plan.servers],
    ['domain', plan.name, ...plan.searchDomains, ...(plan.defaultRoute ? ['~.'] : [])],
    ['default-route', plan.name, plan.defaultRoute ? 'yes' : 'no'],
  ];
}

export async function applyResolved(
  system: HelperSystem,
  journal: Journal,
  plan: DnsPlan,
): Promise<StepResult<{ method: 'resolved' }>> {
  // One revert undoes all three settings: recorded once, before the first.
  journal.record({ kind: 'revert-resolved', group: 'dns', name: plan.name } satisfies UndoStep);
  for (const args of resolvedCalls(plan)) {
    const r = await system.runner.run('resolvectl', args);
    if (r.code !== 0) {
      await journal.undoGroup('dns');
      return {
        ok: false,
        error: { code: 'failed', message: `resolvectl ${args[0]}: ${r.stderr.trim().slice(0, 200)}` },
      };
    }
  }
  return { ok: true, value: { method: 'resolved' } };
}
