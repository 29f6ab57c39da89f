// IPv6 on the helper's TUN (set-ipv6): the link-local address from IPv6CP's identifier, the global
// address the engine built from the server's Router Advertisement (prefix + that identifier, with the
// RA's lifetimes: the kernel expires it if the server stops advertising), and what a full tunnel does
// with IPv6: ::/1 + 8000::/1 into the TUN when the tunnel carries IPv6, `unreachable` routes when it
// does not, so IPv6 can never leave around the tunnel (applications get ENETUNREACH at once and fall
// back to IPv4). Split tunnels leave IPv6 alone.
//
// Why the engine reads the RA and not the kernel: see main/engine/packet/router-advert.ts.
//
// Switching between "into the tunnel" and "blocked" adds the new routes before removing the old ones,
// so there is no instant without either: the block uses a worse metric than the tunnel's routes.
import type { Journal } from './journal.js';
import type { SetIpv6Request } from '../protocol.js';
import type { StepResult } from './step-result.js';
import type { HelperSystem } from './system.js';
import { performUndo, type UndoStep } from './undo-step.js';

export const FULL_V6 = ['::/1', '8000::/1'] as const;
/** Worse than the kernel's default IPv6 metric (1024) that the tunnel's own routes get. */
export const BLOCK_METRIC = 65535;
const FOREVER = 0xffffffff;

type V6Routes = 'tunnel' | 'blocked' | 'none';
type Placed = { readonly cidr: string; readonly step: UndoStep };

export class TunIpv6 {
  private linkLocal: Placed | undefined;
  private global: Placed | undefined;
  private routes: V6Routes = 'none';

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
    for (const destination of FULL_V6) {
      const error =
        want === 'tunnel'
          ? await this.add(
              { kind: 'delete-route6', group: 'v6-routes', destination, dev: tun },
              ['-6', 'route', 'add', destination, 'dev', tun],
              { destination, owner: tun },
            )
          : await this.add(
              { kind: 'delete-unreachable6', group: 'v6-block', destination, metric: BLOCK_METRIC },
              ['-6', 'route', 'add', 'unreachable', destination, 'metric', String(BLOCK_METRIC)],
              { destination, owner: 'lo' },
            );
      if (error !== undefined) {
        await this.journal.undoGroup(want === 'tunnel' ? 'v6-routes' : 'v6-block');
        return { ok: false, error: { code: 'failed', message: error } };
      }
    }
    // Only now the old kind goes: the new routes are already in place.
    await this.journal.undoGroup(want === 'tunnel' ? 'v6-block' : 'v6-routes');
    this.routes = want;
    return { ok: true, value: {} };
  }

  /** Before set-routes looks up the server's original paths: our IPv6 routes must not answer for them. */
  async clearRoutes(): Promise<void> {
    await this.journal.undoGroup('v6-routes');
    await this.journal.undoGroup('v6-block');
    this.routes = 'none';
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
      const error = await this.add(step, ['-6', 'addr', 'add', wanted, 'dev', tun, 'nodad', ...lft], undefined);
      if (error !== undefined) return { ok: false, error: { code: 'failed', message: error } };
      placed = { cidr: wanted, step };
    }
    if (current !== undefined) await this.remove(current.step);
    return { ok: true, value: placed };
  }

  /**
   * Journaled before it is made; undefined when done. A route that "exists" is fine only when the
   * existing one is ours in kind (`owner`: our TUN, or lo for an unreachable route), and then it is not
   * journaled: Linux says "File exists" for any route of that prefix and metric, whatever its device.
   */
  private async add(
    step: UndoStep,
    args: string[],
    route: { readonly destination: string; readonly owner: string } | undefined,
  ): Promise<string | undefined> {
    this.journal.record(step);
    const r = await this.system.runner.run('ip', args);
    if (r.code === 0) return undefined;
    this.journal.forget(step);
    if (/File exists/.test(r.stderr) && route !== undefined) {
      const { destination, owner } = route;
      const devices = await routeDevices(this.system, destination);
      if (devices.includes(owner)) return undefined;
      return (
        `IPv6 route ${destination} is already taken${devices.length > 0 ? ` through ${devices.join(', ')}` : ''} ` +
        '(another VPN?), so IPv6 would not follow the tunnel. Disconnect the other VPN and connect again.'
      );
    }
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

/** Devices of the IPv6 routes for exactly this prefix (an unreachable route shows as dev lo). */
async function routeDevices(system: HelperSystem, destination: string): Promise<string[]> {
  const r = await system.runner.run('ip', ['-6', '-j', 'route', 'show', 'exact', destination]);
  if (r.code !== 0) return [];
  try {
    const parsed: unknown = JSON.parse(r.stdout);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((e: unknown) => {
      const o = e as { dev?: unknown; type?: unknown };
      if (o.type === 'unreachable') return ['lo'];
      return typeof o.dev === 'string' ? [o.dev] : [];
    });
  } catch {
    return [];
  }
}
