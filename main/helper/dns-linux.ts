// set-dns: systemd-resolved per-link settings when resolved runs (undone by `resolvectl revert`),
// otherwise /etc/resolv.conf rewritten with the original kept for restore.
import type { Journal } from './journal.js';
import type { SetDnsRequest, SetDnsResult } from './protocol.js';
import type { StepResult } from './routes-linux.js';
import type { HelperSystem } from './system.js';
import type { UndoStep } from './undo-step.js';

export async function applyDns(
  system: HelperSystem,
  journal: Journal,
  request: SetDnsRequest,
): Promise<StepResult<SetDnsResult>> {
  await journal.undoGroup('dns');
  const domains = request.searchDomains ?? [];
  if (system.resolvedActive()) {
    const step: UndoStep = { kind: 'revert-resolved', group: 'dns', name: request.name };
    journal.record(step);
    const routing = request.defaultRoute === true ? ['~.'] : [];
    for (const args of [
      ['dns', request.name, ...request.servers],
      ['domain', request.name, ...domains, ...routing],
      ['default-route', request.name, request.defaultRoute === true ? 'yes' : 'no'],
    ]) {
      const r = await system.runner.run('resolvectl', args);
      if (r.code !== 0) {
        await journal.undoGroup('dns');
        return { ok: false, code: 'failed', message: `resolvectl ${args[0]}: ${r.stderr.trim().slice(0, 200)}` };
      }
    }
    return { ok: true, value: { method: 'resolved' } };
  }

  const original = system.readResolvConf();
  const written = resolvConfText(request.name, request.servers, domains, original);
  const step: UndoStep = { kind: 'restore-resolv-conf', group: 'dns', original, written };
  journal.record(step);
  try {
    system.writeResolvConf(written);
  } catch (e) {
    journal.forget(step);
    return {
      ok: false,
      code: 'failed',
      message: `cannot write resolv.conf: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  return { ok: true, value: { method: 'resolv.conf' } };
}

/** Our servers and search list; the original's `options` lines are kept (edns0, trust-ad, …). */
export function resolvConfText(
  name: string,
  servers: readonly string[],
  domains: readonly string[],
  original: string,
): string {
  const options = original.split('\n').filter((l) => /^options\s/.test(l));
  return [
    `# Written by Causeway for ${name}; the previous file comes back when the tunnel closes.`,
    ...servers.map((s) => `nameserver ${s}`),
    ...(domains.length > 0 ? [`search ${domains.join(' ')}`] : []),
    ...options,
    '',
  ].join('\n');
}
