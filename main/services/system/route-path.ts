// The kernel's path to the server, from `ip -j route get ADDRESS` (unprivileged). Pure parser plus a
// runner: a missing route ("Network is unreachable"), or a route that drops or refuses (blackhole,
// unreachable, prohibit), means no connection attempt could leave.
import { execFile } from 'node:child_process';

export type RoutePath =
  | { readonly reachable: true; readonly dev: string; readonly gateway?: string; readonly src?: string }
  | { readonly reachable: false; readonly why: string };

/** Routes that carry packets (a local address counts: a server on this host is reachable). */
const CARRYING = new Set(['unicast', 'local']);

export function parseRouteGet(stdout: string, stderr: string, exitCode: number): RoutePath {
  if (exitCode !== 0) return { reachable: false, why: stderr.trim().replace(/^RTNETLINK answers: /, '') || 'no route' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return { reachable: false, why: 'unreadable output from ip route get' };
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (typeof first !== 'object' || first === null) return { reachable: false, why: 'no route' };
  const r = first as Record<string, unknown>;
  const type = typeof r['type'] === 'string' ? r['type'] : 'unicast';
  if (!CARRYING.has(type)) return { reachable: false, why: `${type} route` };
  if (typeof r['dev'] !== 'string') return { reachable: false, why: 'route without a device' };
  return {
    reachable: true,
    dev: r['dev'],
    ...(typeof r['gateway'] === 'string' ? { gateway: r['gateway'] } : {}),
    ...(typeof r['prefsrc'] === 'string' ? { src: r['prefsrc'] } : {}),
  };
}

/** One line per address, so two evaluations can be compared: a changed line is a changed path. */
export function describePath(address: string, p: RoutePath): string {
  if (!p.reachable) return `${address}: unreachable`;
  return `${address}: dev ${p.dev}${p.gateway ? ` via ${p.gateway}` : ''}${p.src ? ` src ${p.src}` : ''}`;
}

export type RouteGetter = (address: string) => Promise<RoutePath>;

export const routeGet: RouteGetter = (address) =>
  new Promise((resolve) => {
    execFile('ip', ['-j', 'route', 'get', address], { timeout: 2_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve(parseRouteGet(String(stdout), String(stderr) || (err && code === 1 ? err.message : ''), code));
    });
  });
