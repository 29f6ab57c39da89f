// IPv6 on the helper's TUN (set-ipv6): the link-local address from IPv6CP's identifier, the global
// address the engine built from the server's Router Advertisement (prefix + that identifier, with the
// RA's lifetimes: the kernel expires it if the server stops advertising), and what a full tunnel does
// with IPv6: the tunnel's own table (policy-rules.ts, `ip -6 rule`) holds `default dev <tun>` when the
// tunnel carries IPv6 and `unreachable default` when it does not, so IPv6 can never leave around the
// tunnel (applications get ENETUNREACH at once and fall back to IPv4), nor through another VPN's
// ::/1 + 8000::/1. Split tunnels leave IPv6 alone.
//
// Why the engine reads the RA and not the kernel: see main/engine/packet/router-advert.ts.
//
// Switching between "into the tunnel" and "blocked" is one `ip -6 route replace` of the table's one
// route: atomic, so there is no instant with neither.
import type { Journal } from './journal.js';
import { addRulePair, setTableDefault, tunTable } from './policy-rules.js';
import type { SetIpv6Request } from '../protocol.js';
import { verifyCaptured } from './route-check.js';
import type { StepResult } from './step-result.js';
import type { HelperSystem } from './system.js';
import { performUndo, type UndoStep } from './undo-step.js';

/** What a full tunnel captures of IPv6, as the halves the verification probes. */
export const FULL_V6 = ['::/1', '8000::/1'] as const;
const FOREVER = 0xffffffff;

type V6Routes = 'tunnel' | 'blocked' | 'none';
type Placed = { readonly cidr: string; readonly step: UndoStep };

export class TunIpv6 {
  private linkLocal: Placed | undefined;
  private global: Placed | undefined;
  private routes: V6Routes = 'none';
  /** Our table while routes are placed. */
  private table: number | undefined;

  constructor(
    private readonly system: HelperSystem,
    private readonly journal: Journal,
  ) {}

  /** The TUN has an IPv6 address of ours (IPv6CP is up). */
  get hasIpv6(): boolean {
    return this.linkLocal !== undefined;
  }

  /** Everything was undone (teardown): forget what we placed. */
  reset(): void {
    this.linkLocal = undefined;
    this.global = undefined;
    this.routes = 'none';
    this.table = undefined;
  }

  /** The addresses of `req`; linkLocal absent: IPv6 is gone (both removed). */
  async setAddresses(req: SetIpv6Request): Promise<StepResult<Record<string, never>>> {
    const ll = await this.place(req.name, this.linkLocal, req.linkLocal, undefined);
    if (!ll.ok) return ll;
    this.linkLocal = ll.value;
    const wanted = req.linkLocal === undefined ? undefined : req.global?.address;
    const g = await this.place(req.name, this.global, wanted, req.global);
    if (!g.ok) return g;
    this.global = g.value;
    return { ok: true, value: {} };
  }

  /** The full tunnel's IPv6 routes for `mode` (undefined: no set-routes yet, so nothing). */
  async applyRoutes(
    tun: string,
    mode: 'full' | 'split' | undefined,
    /** configure's own ipv6 address (the older way to give the TUN IPv6) counts too. */
    configuredIpv6 = false,
  ): Promise<StepResult<Record<string, never>>> {
    const want: V6Routes = mode !== 'full' ? 'none' : this.hasIpv6 || configuredIpv6 ? 'tunnel' : 'blocked';
    if (want === this.routes) return { ok: true, value: {} };
    if (want === 'none') {
      await this.clearRoutes();
      return { ok: true, value: {} };
    }
    const placed = await this.placeRoutes(tun, want);
    if (!placed.ok) {
      await this.clearRoutes();
      return placed;
    }
    this.routes = want;
    return { ok: true, value: {} };
  }

  /** Before set-routes looks up the server's original paths: our IPv6 routes must not answer for them. */
  async clearRoutes(): Promise<void> {
    await this.journal.undoGroup('v6-routes');
    // A state journaled by an older helper (unreachable ::/1 + 8000::/1 in main).
    await this.journal.undoGroup('v6-block');
    this.routes = 'none';
  }

  /** The rule pair once, then the table's one route (replaced in place when it switches), verified. */
  private async placeRoutes(tun: string, want: 'tunnel' | 'blocked'): Promise<StepResult<Record<string, never>>> {
    const first = this.routes === 'none';
    if (first) {
      const table = await tunTable(this.system, tun);
      if (!table.ok) return table;
      const rules = await addRulePair(this.system, this.journal, 'v6-routes', 6, table.value);
      if (!rules.ok) return rules;
      this.table = table.value;
    }
    const table = this.table;
    if (table === undefined) return { ok: false, error: { code: 'failed', message: 'no IPv6 table' } };
    const route = want === 'tunnel' ? { dev: tun } : ('unreachable' as const);
    const set = await setTableDefault(this.system, this.journal, 'v6-routes', 6, table, route, !first);
    if (!set.ok) return set;
    const checked = await verifyCaptured(this.system, FULL_V6, route);
    if (!checked.ok && want === 'blocked')
      return { ok: false, error: { code: 'failed', message: checked.error.message.replace('traffic', 'IPv6') } };
    return checked;
  }

  /** Adds `wanted` (or refreshes its lifetimes), then removes what was there before. */
  private async place(
    tun: string,
    current: Placed | undefined,
    wanted: string | undefined,
    lifetimes: { readonly validLifetime: number; readonly preferredLifetime: number } | undefined,
  ): Promise<StepResult<Placed | undefined>> {
    const lft =
      lifetimes === undefined
        ? []
        : ['valid_lft', lifetime(lifetimes.validLifetime), 'preferred_lft', lifetime(lifetimes.preferredLifetime)];
    if (wanted !== undefined && current?.cidr === wanted) {
      if (lft.length === 0) return { ok: true, value: current };
      const r = await this.system.runner.run('ip', ['-6', 'addr', 'change', wanted, 'dev', tun, 'nodad', ...lft]);
      if (r.code !== 0)
        return { ok: false, error: { code: 'failed', message: `ip -6 addr change: ${clip(r.stderr)}` } };
      return { ok: true, value: current };
    }
    let placed: Placed | undefined;
    if (wanted !== undefined) {
      const step: UndoStep = { kind: 'delete-address6', group: 'address6', name: tun, cidr: wanted };
      // nodad: the other end is the PPP peer, not a LAN; DAD would only hold the address back a second.
      const error = await this.add(step, ['-6', 'addr', 'add', wanted, 'dev', tun, 'nodad', ...lft]);
      if (error !== undefined) return { ok: false, error: { code: 'failed', message: error } };
      placed = { cidr: wanted, step };
    }
    if (current !== undefined) await this.remove(current.step);
    return { ok: true, value: placed };
  }

  /** Journaled before it is made; undefined when done, else why not. */
  private async add(step: UndoStep, args: string[]): Promise<string | undefined> {
    this.journal.record(step);
    const r = await this.system.runner.run('ip', args);
    if (r.code === 0) return undefined;
    this.journal.forget(step);
    return `ip ${args.slice(0, 4).join(' ')}: ${clip(r.stderr)}`;
  }

  private async remove(step: UndoStep): Promise<void> {
    await performUndo(this.system, step).catch(() => undefined);
    this.journal.forget(step);
  }
}

function lifetime(seconds: number): string {
  return seconds >= FOREVER ? 'forever' : String(seconds);
}

function clip(s: string): string {
  return s.trim().slice(0, 200);
}
