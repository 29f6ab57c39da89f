// A profile's server list in the app (the CLI's `causeway connect` does the same with failover.ts):
// the last good server first, then the others in the profile's order; each failure before SSTP
// (TCP, TLS, HTTP) moves on to the next, and the log and the connected state say why one was skipped.
// The engine's FailoverSession does the trying; this adapts it to the service's SessionLike (its
// own packets and phase events go to whichever server's session is current).
import type { SessionConfig } from '../../engine/config.js';
import { FailoverSession, describeServer, type ServerEndpoint } from '../../engine/failover.js';
import type { SessionDeps, SessionEvent } from '../../engine/session.js';
import { resolveServerList } from '../../engine/server-list.js';
import type { Profile } from '../../contract/profile.js';
import type { LogSink } from '../../engine/log.js';
import type { LastServerStore, ServerRef } from './last-server.js';
import type { SessionFactory, SessionLike, SystemPlaneLease } from './ports.js';

export interface AppServerList {
  /** In the order of the first try (the last good one first). */
  readonly servers: readonly ServerEndpoint[];
  /** Every address of every server: each gets a host route outside the tunnel. */
  readonly addresses: readonly string[];
  /** Alternates left out because their names did not resolve, for the log. */
  readonly unresolved: readonly string[];
}

function same(a: ServerRef, b: ServerRef): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;
}

/** `servers` with `first` moved to the front when it is one of them. */
export function lastGoodFirst(servers: readonly ServerEndpoint[], first: ServerRef | undefined): ServerEndpoint[] {
  const i = first ? servers.findIndex((s) => same(s, first)) : -1;
  if (i <= 0) return [...servers];
  return [servers[i] as ServerEndpoint, ...servers.slice(0, i), ...servers.slice(i + 1)];
}

/**
 * The list for `config` (already aimed at the profile's own server, with the plane's addresses when
 * there is one): alternates resolved once, both families.
 */
export async function appServerList(
  profile: Profile,
  config: SessionConfig,
  lastGood: ServerRef | undefined,
): Promise<AppServerList> {
  const r = await resolveServerList(config, profile.alternateServers ?? []);
  return {
    servers: lastGoodFirst(r.servers, lastGood),
    addresses: r.addresses,
    unresolved: r.unresolved.map((u) => `${u.server}: ${u.failure.message}`),
  };
}

export interface FailoverEventsForApp {
  /** Connected through `server`; `skipped` says why the ones before it were passed over. */
  connected(server: ServerEndpoint): void;
}

/**
 * A session factory that fails over through `list`. Each new session (a reconnect) starts with the
 * server that last connected, so a reconnect does not first wait on the server that failed.
 */
export function failoverSessions(
  list: readonly ServerEndpoint[],
  create: SessionFactory,
  events: FailoverEventsForApp,
): SessionFactory {
  let order = [...list];
  return (config: SessionConfig, deps: SessionDeps): SessionLike => {
    // The service subscribes (phase events, byte counting) before connect() picks a server: each
    // subscription is kept and attached to every server's session as it is created.
    const subs = new Subscriptions();
    let current: SessionLike | undefined;
    const inner = new FailoverSession(
      config,
      order,
      deps,
      (c, d) => {
        const s = create(c, d);
        current = s;
        subs.attach(s);
        return s;
      },
      {
        onConnected: (server) => {
          order = lastGoodFirst(order, server);
          events.connected(server);
        },
      },
    );
    return Object.assign(inner, {
      sendIp: (packet: Buffer) => current?.sendIp(packet) ?? false,
      onEvent: (l: (e: SessionEvent) => void) => subs.add(current, (s) => s.onEvent(l)),
      onIpPacket: (l: (p: Buffer) => void) => subs.add(current, (s) => s.onIpPacket(l)),
      onIpBatch: (l: (ps: readonly Buffer[]) => void) =>
        subs.add(current, (s) => (s.onIpBatch ? s.onIpBatch(l) : s.onIpPacket((p) => l([p])))),
    });
  };
}

/** Subscriptions made on the failover session, replayed on each server's session. */
class Subscriptions {
  private readonly all = new Set<(s: SessionLike) => () => void>();
  private readonly offs = new Map<(s: SessionLike) => () => void, () => void>();

  add(current: SessionLike | undefined, subscribe: (s: SessionLike) => () => void): () => void {
    this.all.add(subscribe);
    if (current) this.offs.set(subscribe, subscribe(current));
    return () => {
      this.all.delete(subscribe);
      this.offs.get(subscribe)?.();
      this.offs.delete(subscribe);
    };
  }

  attach(session: SessionLike): void {
    for (const subscribe of this.all) {
      this.offs.get(subscribe)?.();
      this.offs.set(subscribe, subscribe(session));
    }
  }
}

export interface FailoverSetup {
  readonly createSession: SessionFactory;
  /** Addresses of the alternates, kept outside the tunnel beside the plane's own. */
  readonly protect: readonly string[];
}

/**
 * The session factory for one connection of `profile`: its own server only (as before) without
 * alternates, else the list with the remembered server first, recording each server that connects.
 */
export async function setUpFailover(a: {
  readonly profile: Profile;
  readonly config: SessionConfig;
  readonly plane?: SystemPlaneLease;
  readonly create: SessionFactory;
  readonly lastServers?: LastServerStore;
  readonly log: LogSink;
  readonly now: () => number;
}): Promise<FailoverSetup> {
  const { profile, plane } = a;
  if ((profile.alternateServers ?? []).length === 0) return { createSession: a.create, protect: [] };
  const note = (level: 'info' | 'warn', message: string) => a.log({ time: a.now(), level, phase: 'tcp', message });
  // The plane resolved the profile's own server: dial what its host route protects.
  const own = plane
    ? { ...a.config, address: plane.serverAddress, addresses: plane.serverAddresses ?? [plane.serverAddress] }
    : a.config;
  const remembered = await a.lastServers?.get(profile.id);
  const list = await appServerList(profile, own, remembered);
  for (const u of list.unresolved) note('warn', `alternate server left out: ${u}`);
  const first = list.servers[0];
  if (
    remembered &&
    first &&
    first.host === remembered.host &&
    first.port === remembered.port &&
    list.servers.length > 1
  )
    note('info', `starting with ${describeServer(first)}, the server that connected last time`);
  const createSession = failoverSessions(list.servers, a.create, {
    connected: (server) => {
      void a.lastServers?.set(profile.id, { host: server.host, port: server.port }).then((r) => {
        if (!r.ok) note('warn', `the server in use could not be remembered: ${r.error}`);
      });
    },
  });
  return { createSession, protect: list.addresses };
}
