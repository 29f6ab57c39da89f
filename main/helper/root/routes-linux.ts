// set-routes: the whole route set for the tunnel, replacing the previous one.
//
// A full tunnel's catch-all is `default dev <tun>` in a table of ours behind two policy rules
// (policy-rules.ts): the original default route is never touched, so there is nothing to restore,
// and another VPN's 0.0.0.0/1 + 128.0.0.0/1 in main neither hides ours nor catches traffic when it
// goes away. Split routes (and a full tunnel's extra routes) stay in main, where the longest prefix
// decides as it always did. IPv6's catch-all (into the tunnel, or blocked when it carries no IPv6) is
// ipv6-linux.ts's. The SSTP server keeps a host route in main through the path it had before, for
// either family, which the rules let win. Then every destination and server path is verified with
// the kernel's own answer (route-check.ts).
import { cidrContains, formatIp, parseCidr, parseIp } from '../../engine/addresses.js';
import { FULL_V6 } from './ipv6-linux.js';
import { routeEntries } from './ip-json.js';
import type { Journal } from './journal.js';
import { addRulePair, setTableDefault, tunTable } from './policy-rules.js';
import type { SetRoutesRequest, SetRoutesResult } from '../protocol.js';
import { verifyCaptured, verifyServerPath } from './route-check.js';
import type { HelperSystem } from './system.js';
import type { StepResult } from './step-result.js';
import type { UndoStep } from './undo-step.js';

/** What a full tunnel captures, as the halves the verification probes (the table holds one default route). */
export const FULL_V4 = ['0.0.0.0/1', '128.0.0.0/1'] as const;

export async function applyRoutes(
  system: HelperSystem,
  journal: Journal,
  request: SetRoutesRequest,
  tunHasIpv6: boolean,
): Promise<StepResult<SetRoutesResult>> {
  await journal.undoGroup('routes');
  const full = request.mode === 'full';
  // Routes that go into main: a full tunnel's tables already cover (or block) any /0 or /1 listed.
  const destinations = new Set<string>();
  for (const r of request.routes) if (!(full && coversHalf(r.text))) destinations.add(r.text);
  // A full tunnel takes all IPv6 too (into the tunnel or blocked): the server's IPv6 addresses need their path.
  const captures = new Set(destinations);
  if (full) for (const d of [...FULL_V4, ...FULL_V6]) captures.add(d);

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

  const kept: ServerRoute[] = [...(serverRoute === undefined ? [] : [serverRoute]), ...otherServerRoutes];
  for (const destination of destinations) {
    const step: UndoStep = { kind: 'delete-route', group: 'routes', destination, dev: request.name };
    const added = await addRoute(system, journal, step, ['route', 'add', destination, 'dev', request.name]);
    if (added.status === 'failed')
      return rollback(journal, `route ${destination} via ${request.name} could not be added: ${added.detail}`);
    // Linux answers "File exists" for any route with this prefix and metric, whatever its device: with
    // another VPN owning the prefix, taking that as success would report a route that captures nothing.
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
  if (full) {
    const table = await tunTable(system, request.name);
    if (!table.ok) return rollback(journal, table.error.message);
    const rules = await addRulePair(system, journal, 'routes', 4, table.value);
    if (!rules.ok) return rollback(journal, rules.error.message);
    const route = await setTableDefault(system, journal, 'routes', 4, table.value, { dev: request.name }, false);
    if (!route.ok) return rollback(journal, route.error.message);
  }
  // IPv6's halves are verified by ipv6-linux.ts, once its table has its route.
  const mine = [...(full ? FULL_V4 : []), ...destinations];
  const captured = await verifyCaptured(system, mine, { dev: request.name });
  if (!captured.ok) return rollback(journal, captured.error.message);
  for (const s of kept) {
    const path = await verifyServerPath(system, s.destination.replace(/\/\d+$/, ''), s.dev);
    if (!path.ok) return rollback(journal, path.error.message);
  }
  return {
    ok: true,
    value: {
      ...(serverRoute === undefined ? {} : { serverRoute }),
      ...(otherServerRoutes.length > 0 ? { otherServerRoutes } : {}),
    },
  };
}

function coversHalf(destination: string): boolean {
  const c = parseCidr(destination);
  return c.ok && c.cidr.prefix <= 1;
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

/** The devices of the routes in the main table for exactly this prefix. */
async function routeDevices(system: HelperSystem, destination: string): Promise<string[]> {
  const r = await system.runner.run('ip', ['-j', 'route', 'show', 'exact', destination]);
  if (r.code !== 0) return [];
  return (routeEntries(r.stdout) ?? []).flatMap((e) => (e.dev === undefined ? [] : [e.dev]));
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
  const first = routeEntries(r.stdout)?.[0];
  const route = first?.dev === undefined ? undefined : { dev: first.dev, gateway: first.gateway };
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
