// set-routes: the whole route set for the tunnel, replacing the previous one.
//
// Full tunnel uses 0.0.0.0/1 + 128.0.0.0/1 instead of replacing the default route: more specific, so
// they win, and the original default is never touched, so there is nothing to restore. IPv6's ::/1 +
// 8000::/1 (into the tunnel, or blocked when it carries no IPv6) are ipv6-linux.ts's. The SSTP server
// keeps a host route through the path it had before, for either family.
import { z } from 'zod';
import { cidrContains, formatIp, parseCidr, parseIp } from '../../engine/addresses.js';
import { FULL_V6 } from './ipv6-linux.js';
import type { Journal } from './journal.js';
import { IFNAME, type SetRoutesRequest, type SetRoutesResult } from '../protocol.js';
import type { HelperSystem } from './system.js';
import type { StepResult } from './step-result.js';
import type { UndoStep } from './undo-step.js';

const FULL_V4 = ['0.0.0.0/1', '128.0.0.0/1'];

const routeGet = z.array(z.object({ gateway: z.string().optional(), dev: z.string().regex(IFNAME) }).loose()).min(1);

export async function applyRoutes(
  system: HelperSystem,
  journal: Journal,
  request: SetRoutesRequest,
  tunHasIpv6: boolean,
): Promise<StepResult<SetRoutesResult>> {
  await journal.undoGroup('routes');
  const destinations = new Set<string>();
  if (request.mode === 'full') for (const d of FULL_V4) destinations.add(d);
  for (const r of request.routes) destinations.add(r.text);
  // A full tunnel takes all IPv6 too (into the tunnel or blocked): the server's IPv6 addresses need their path.
  const captures = new Set(destinations);
  if (request.mode === 'full') for (const d of FULL_V6) captures.add(d);

  // Every address of the server (both families, the alternates) keeps its path before any tunnel route exists.
  let serverRoute: SetRoutesResult['serverRoute'];
  const otherServerRoutes: NonNullable<SetRoutesResult['otherServerRoutes']> = [];
  const servers = [
    request.serverAddress,
    ...(request.serverAddresses ?? []).filter((a) => a !== request.serverAddress),
  ];
  for (const [i, address] of [...new Set(servers)].entries()) {
    const kept = await keepServerPath(system, journal, request.name, address, captures, !tunHasIpv6);
    if (!kept.ok) return i === 0 ? kept : rollback(journal, kept.error.message);
    if (kept.value === undefined) continue;
    if (i === 0) serverRoute = kept.value;
    else otherServerRoutes.push(kept.value);
  }

  for (const destination of destinations) {
    const step: UndoStep = { kind: 'delete-route', group: 'routes', destination, dev: request.name };
    const added = await addRoute(system, journal, step, ['route', 'add', destination, 'dev', request.name]);
    if (added.status === 'failed')
      return rollback(journal, `route ${destination} via ${request.name} could not be added: ${added.detail}`);
    // Linux answers "File exists" for any route with this prefix and metric, whatever its device: with
    // another VPN owning 0.0.0.0/1, taking that as success would report a tunnel that captures nothing.
    if (added.status === 'existed') {
      const owner = await routeDevices(system, destination);
      if (!owner.includes(request.name)) {
        const who = owner.length > 0 ? `through ${owner.join(', ')}` : 'by another route of the same metric';
        return rollback(
          journal,
          `route ${destination} is already taken ${who} (another VPN?), so traffic for it would not enter the tunnel. ` +
            'Disconnect the other VPN, or connect with split routes that do not overlap it.',
        );
      }
    }
  }
  return {
    ok: true,
    value: {
      ...(serverRoute === undefined ? {} : { serverRoute }),
      ...(otherServerRoutes.length > 0 ? { otherServerRoutes } : {}),
    },
  };
}

type ServerRoute = NonNullable<SetRoutesResult['serverRoute']>;

/** A host route for one server address through its current path, when a tunnel route would capture it. */
async function keepServerPath(
  system: HelperSystem,
  journal: Journal,
  tun: string,
  address: string,
  destinations: ReadonlySet<string>,
  /** IPv6 is blocked, not tunneled: an IPv6 address with no path today has nothing to keep. */
  ipv6Blocked = false,
): Promise<StepResult<ServerRoute | undefined>> {
  const server = parseIp(address);
  const captured =
    server !== undefined &&
    [...destinations].some((d) => {
      const c = parseCidr(d);
      return c.ok && cidrContains(c.cidr, server);
    });
  if (!captured || server === undefined) return { ok: true, value: undefined };
  const found = await originalPath(system, address, tun);
  if (!found.ok && ipv6Blocked && server.family === 6 && found.error.code === 'failed')
    return { ok: true, value: undefined };
  if (!found.ok) return found;
  const destination = `${address}/${server.family === 4 ? 32 : 128}`;
  const step: UndoStep = {
    kind: 'delete-route',
    group: 'routes',
    destination,
    dev: found.value.dev,
    ...found.value.via,
  };
  const via = found.value.via.gateway === undefined ? [] : ['via', found.value.via.gateway];
  // `ip route` takes the family from the destination (a /128 is `ip -6 route`), for the undo step too.
  const added = await addRoute(system, journal, step, ['route', 'add', destination, ...via, 'dev', found.value.dev]);
  if (added.status === 'failed')
    return rollback(journal, `route to the server ${destination} could not be kept: ${added.detail}`);
  return { ok: true, value: { destination, dev: found.value.dev, ...found.value.via } };
}

type Added = { readonly status: 'added' | 'existed' } | { readonly status: 'failed'; readonly detail: string };

async function addRoute(system: HelperSystem, journal: Journal, step: UndoStep, args: string[]): Promise<Added> {
  journal.record(step);
  const r = await system.runner.run('ip', args);
  if (r.code === 0) return { status: 'added' };
  journal.forget(step);
  // Someone else's identical route: use it, and leave it in place on teardown.
  if (/File exists/.test(r.stderr)) return { status: 'existed' };
  return { status: 'failed', detail: r.stderr.trim().slice(0, 300) };
}

async function rollback(journal: Journal, message: string): Promise<StepResult<never>> {
  await journal.undoGroup('routes');
  return { ok: false, error: { code: 'failed', message } };
}

const routeShow = z.array(z.object({ dev: z.string().regex(IFNAME).optional() }).loose());

/** The devices of the routes in the main table for exactly this prefix. */
async function routeDevices(system: HelperSystem, destination: string): Promise<string[]> {
  const r = await system.runner.run('ip', ['-j', 'route', 'show', 'exact', destination]);
  if (r.code !== 0) return [];
  try {
    const parsed = routeShow.safeParse(JSON.parse(r.stdout));
    return parsed.success ? parsed.data.flatMap((e) => (e.dev === undefined ? [] : [e.dev])) : [];
  } catch {
    return [];
  }
}

/** How the server is reached right now, before the tunnel's routes exist. */
async function originalPath(
  system: HelperSystem,
  server: string,
  tun: string,
): Promise<StepResult<{ dev: string; via: { gateway?: string } }>> {
  const r = await system.runner.run('ip', ['-j', 'route', 'get', server]);
  if (r.code !== 0)
    return {
      ok: false,
      error: { code: 'failed', message: `no route to the server ${server}: ${r.stderr.trim().slice(0, 200)}` },
    };
  let parsed;
  try {
    parsed = routeGet.safeParse(JSON.parse(r.stdout));
  } catch {
    return { ok: false, error: { code: 'failed', message: 'unreadable `ip -j route get` output' } };
  }
  const route = parsed.success ? parsed.data[0] : undefined;
  if (route === undefined)
    return { ok: false, error: { code: 'failed', message: 'unreadable `ip -j route get` output' } };
  if (route.dev === tun)
    return { ok: false, error: { code: 'refused', message: `the server ${server} is already routed through ${tun}` } };
  if (route.gateway === undefined) return { ok: true, value: { dev: route.dev, via: {} } };
  const gateway = parseIp(route.gateway);
  if (gateway === undefined)
    return { ok: false, error: { code: 'failed', message: `unreadable gateway in \`ip -j route get\`` } };
  return { ok: true, value: { dev: route.dev, via: { gateway: formatIp(gateway) } } };
}
