// A profile's servers as the tunnel uses them: each resolved once (both families), all their addresses
// kept outside the tunnel, and a session factory that fails over between them (failover.ts).
import type { SessionConfig } from './config.js';
import { FailoverSession, describeServer, type FailoverInner, type ServerEndpoint } from './failover.js';
import type { SessionFailure } from './failure.js';
import type { SessionDeps } from './session.js';
import { resolveHost, type LookupAll } from './transport/resolve-server.js';

export interface ResolvedServerList {
  /** In the order to try; the first is the config's own server. */
  readonly servers: readonly ServerEndpoint[];
  /** Every address of every server, for the routes that keep them outside the tunnel. */
  readonly addresses: readonly string[];
  /** Alternates whose names did not resolve: left out, said once. */
  readonly unresolved: readonly { readonly server: string; readonly failure: SessionFailure }[];
}

/**
 * Resolves the alternates of `config` (whose own server is already resolved into address/addresses).
 * Behind a proxy the servers are not dialled, the proxy is: nothing to resolve, nothing to route.
 */
export async function resolveServerList(
  config: SessionConfig,
  alternates: readonly { readonly host: string; readonly port: number }[],
  lookupAll?: LookupAll,
): Promise<ResolvedServerList> {
  const own = config.addresses ?? (config.address !== undefined ? [config.address] : undefined);
  const first: ServerEndpoint = {
    host: config.host,
    port: config.port,
    ...(own !== undefined && !config.proxy ? { addresses: own } : {}),
  };
  const servers: ServerEndpoint[] = [first];
  const unresolved: { server: string; failure: SessionFailure }[] = [];
  for (const alt of alternates) {
    if (config.proxy) {
      servers.push({ host: alt.host, port: alt.port });
      continue;
    }
    const r = await resolveHost(alt.host, lookupAll);
    if (r.ok) servers.push({ host: alt.host, port: alt.port, addresses: r.addresses });
    else unresolved.push({ server: describeServer(alt), failure: r.failure });
  }
  const addresses = [...new Set(servers.flatMap((s) => s.addresses ?? []))];
  return { servers, addresses, unresolved };
}

/** Sessions that try the list in order (one server: the plain session). */
export function failoverFactory(
  servers: readonly ServerEndpoint[],
  create: (config: SessionConfig, deps: SessionDeps) => FailoverInner,
): (config: SessionConfig, deps: SessionDeps) => FailoverInner {
  if (servers.length <= 1) return create;
  return (config, deps) => new FailoverSession(config, servers, deps, create);
}
