// set-dns: hands the tunnel's servers to whatever manages this machine's resolver (dns-detect.ts):
// systemd-resolved, resolvconf, or /etc/resolv.conf itself. Every change is journaled before it is
// made and undone on teardown or, after a crash, by the next helper (leftovers.ts).
import { chooseResolver, probeResolver } from './dns-detect.js';
import { resolvConfText } from './dns-resolv-conf-file.js';
import { applyResolvconf } from './dns-resolvconf.js';
import { applyResolved, type DnsPlan } from './dns-resolved.js';
import type { Journal } from './journal.js';
import type { SetDnsRequest, SetDnsResult } from '../protocol.js';
import type { StepResult } from './step-result.js';
import type { HelperSystem } from './system.js';
import type { UndoStep } from './undo-step.js';

export async function applyDns(
  system: HelperSystem,
  journal: Journal,
  request: SetDnsRequest,
  log: (message: string) => void = () => {},
): Promise<StepResult<SetDnsResult>> {
  // A repeated set-dns replaces the previous one, whichever manager took it.
  await journal.undoGroup('dns');
  const plan: DnsPlan = {
    name: request.name,
    servers: request.servers,
    searchDomains: request.searchDomains ?? [],
    defaultRoute: request.defaultRoute === true,
  };
  const choice = chooseResolver(await probeResolver(system));
  log(
    `DNS for ${plan.name} through ${choice.manager} (${choice.why}), ${plan.defaultRoute ? 'every name' : 'search domains only'}`,
  );
  switch (choice.manager) {
    case 'resolved':
      return applyResolved(system, journal, plan);
    case 'resolvconf':
      return applyResolvconf(system, journal, plan);
    case 'file':
      return applyResolvConfFile(system, journal, plan);
  }
}

async function applyResolvConfFile(
  system: HelperSystem,
  journal: Journal,
  plan: DnsPlan,
): Promise<StepResult<SetDnsResult>> {
  const original = system.readResolvConf();
  const written = resolvConfText({ ...plan, original });
  const step: UndoStep = { kind: 'restore-resolv-conf', group: 'dns', original, written };
  journal.record(step);
  try {
    system.writeResolvConf(written);
  } catch (e) {
    journal.forget(step);
    return {
      ok: false,
      error: {
        code: 'failed',
        message: `cannot write /etc/resolv.conf: ${e instanceof Error ? e.message : String(e)}`,
      },
    };
  }
  return { ok: true, value: { method: 'resolv.conf' } };
}
