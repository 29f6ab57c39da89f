// A profile's server list in the app (`causeway connect` orders it with the same rememberedServerFirst):
// the last good server first, then the others in the profile's order; each failure before SSTP
// (TCP, TLS, HTTP) moves on to the next, and the log and the connected state say why one was skipped.
// The engine's FailoverSession does the trying; this adapts it to the service's SessionLike (its
// own packets and phase events go to whichever server's session is current).
import type { SessionConfig } from '../../engine/config.js';
import { FailoverSession, type ServerEndpoint } from '../../engine/failover.js';
import type { SessionDeps, SessionEvent } from '../../engine/session.js';
import { resolveServerList } from '../../engine/server-list.js';
import type { Profile } from '../../contract/profile.js';
import type { LogSink } from '../../engine/log.js';
import { lastGoodFirst, rememberedServerFirst, type LastServerStore } from './last-server.js';
import type { SessionFactory, SessionLike, SystemPlaneLease } from './ports.js';

export { lastGoodFirst } from './last-server.js';

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
  const r = await resolveServerList(own, profile.alternateServers ?? []);
  for (const u of r.unresolved) note('warn', `alternate server left out: ${u.server}: ${u.failure.message}`);
  // The same policy as `causeway connect`: the remembered server first, said so, the new one remembered.
  const order = await rememberedServerFirst(a.lastServers, profile.id, r.servers);
  if (order.notice) note('info', order.notice);
  const createSession = failoverSessions(order.servers, a.create, {
    connected: (server) => {
      void order.remember(server).then((w) => {
        if (!w.ok) note('warn', `the server in use could not be remembered: ${w.error}`);
      });
    },
  });
  return { createSession, protect: r.addresses };
}
