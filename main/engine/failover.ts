// A server list with failover (the .pbk's alternates with TryNextAlternateOnFail, a pool of servers
// behind one profile): one session at a time, the next server tried when one fails before SSTP
// starts, i.e. at TCP, TLS or the HTTP handshake. Later failures (authentication, PPP) are the same
// account on every server of the pool, so trying the next would only repeat them — and lock accounts.
//
// It wraps the session factory, so the tunnel (reconnects, data plane) sees one session as before.
import type { SessionConfig } from './config.js';
import { failure, type Phase, type SessionFailure } from './failure.js';
import { phaseLogger, silentSink } from './log.js';
import type { ConnectOutcome, SessionDeps } from './session.js';
import type { SessionDataPort } from './datapath/data-port.js';

/** One server of the list, as the session dials it. */
export interface ServerEndpoint {
  readonly host: string;
  readonly port: number;
  /** Resolved addresses to dial, each kept outside the tunnel (see SessionConfig.addresses). */
  readonly addresses?: readonly string[];
}

/** The session as failover needs it: the tunnel's TunnelSession. */
export interface FailoverInner extends SessionDataPort {
  connect(): Promise<ConnectOutcome>;
  disconnect(): Promise<void>;
  /** Checks the connected session now (Tunnel.probe); absent on sessions that cannot. */
  probe?(timeoutMs: number): Promise<boolean>;
  readonly closed: Promise<SessionFailure | null>;
}

/** Why a server was passed over: for the log, the status and `causeway test`. */
export interface SkippedServer {
  readonly server: ServerEndpoint;
  readonly failure: SessionFailure;
}

export interface FailoverEvents {
  /** A server failed early and the next one is tried. */
  onSkipped?(skipped: SkippedServer, next: ServerEndpoint): void;
  /** Connected through this server (its index in the list as given). */
  onConnected?(server: ServerEndpoint, index: number): void;
}

const FAILOVER_PHASES: ReadonlySet<Phase> = new Set<Phase>(['tcp', 'tls', 'http']);

/** A failure the next server might not have: before SSTP, and not the user stopping. */
export function worthTryingNext(f: SessionFailure): boolean {
  return FAILOVER_PHASES.has(f.phase) && f.code !== 'cancelled';
}

/** The config aimed at one server of the list; everything else (credentials, TLS policy) is shared. */
export function configFor(base: SessionConfig, server: ServerEndpoint): SessionConfig {
  const { address: _a, addresses: _b, ...rest } = base;
  const first = server.addresses?.[0];
  return {
    ...rest,
    host: server.host,
    port: server.port,
    ...(first !== undefined ? { address: first, addresses: server.addresses } : {}),
  };
}

export function describeServer(s: ServerEndpoint): string {
  return `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
}

/**
 * Tries `servers` in order (the caller puts the last good one first) with sessions from `create`;
 * the first to connect is the session from then on. With one server it is just that session.
 */
export class FailoverSession implements FailoverInner {
  private current: FailoverInner | undefined;
  private stopped = false;
  private resolveClosed!: (f: SessionFailure | null) => void;
  readonly closed: Promise<SessionFailure | null>;
  /** The server in use once connected. */
  server: ServerEndpoint | undefined;
  readonly skipped: SkippedServer[] = [];

  constructor(
    private readonly base: SessionConfig,
    private readonly servers: readonly ServerEndpoint[],
    private readonly deps: SessionDeps,
    private readonly create: (config: SessionConfig, deps: SessionDeps) => FailoverInner,
    private readonly events: FailoverEvents = {},
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  async connect(): Promise<ConnectOutcome> {
    const log = phaseLogger(this.deps.log ?? silentSink, 'tcp', () => this.deps.clock?.now() ?? Date.now());
    let last: ConnectOutcome | undefined;
    for (const [index, server] of this.servers.entries()) {
      if (this.stopped) break;
      const session = this.create(configFor(this.base, server), this.deps);
      this.current = session;
      if (this.servers.length > 1) log.info(`server ${index + 1} of ${this.servers.length}: ${describeServer(server)}`);
      const outcome = await session.connect();
      if (outcome.ok) {
        this.server = server;
        this.events.onConnected?.(server, index);
        void session.closed.then((f) => this.resolveClosed(f));
        // The status says why the servers before this one were passed over.
        if (this.skipped.length === 0) return outcome;
        const skipped = this.skipped.map((s) => ({ server: describeServer(s.server), reason: s.failure.message }));
        return { ...outcome, info: { ...outcome.info, skipped } };
      }
      last = outcome;
      const next = this.servers[index + 1];
      if (this.stopped || next === undefined || !worthTryingNext(outcome.failure)) break;
      const skipped = { server, failure: outcome.failure };
      this.skipped.push(skipped);
      log.warn(
        `skipping ${describeServer(server)}: ${outcome.failure.message}${outcome.failure.detail ? ` (${outcome.failure.detail})` : ''}; trying ${describeServer(next)}`,
      );
      this.events.onSkipped?.(skipped, next);
    }
    const final: ConnectOutcome = last ?? {
      ok: false,
      failure: failure('tcp', 'cancelled', 'The connection attempt was cancelled.'),
      timings: [],
    };
    if (!final.ok) this.resolveClosed(final.failure);
    return final;
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    await this.current?.disconnect();
  }

  /** The connected server's check; a session that cannot check is left alone (as Tunnel.probe does). */
  probe(timeoutMs: number): Promise<boolean> {
    const inner = this.current;
    if (!inner || !this.server) return Promise.resolve(false);
    return inner.probe ? inner.probe(timeoutMs) : Promise.resolve(true);
  }

  // --- SessionDataPort: the connected server's session ---

  writeFramed(bytes: Buffer): boolean {
    return this.current?.writeFramed(bytes) ?? true;
  }

  onDrain(cb: () => void): void {
    if (this.current) this.current.onDrain(cb);
    else queueMicrotask(cb);
  }

  onIpPacket(listener: (packet: Buffer) => void): () => void {
    return this.connected().onIpPacket(listener);
  }

  onIpBatch(listener: (packets: readonly Buffer[]) => void): () => void {
    const s = this.connected();
    return s.onIpBatch ? s.onIpBatch(listener) : s.onIpPacket((p) => listener([p]));
  }

  pauseReceive(): void {
    this.current?.pauseReceive();
  }

  resumeReceive(): void {
    this.current?.resumeReceive();
  }

  get ipv6Up(): boolean {
    return this.current?.ipv6Up ?? false;
  }

  get peerMru(): number {
    return this.current?.peerMru ?? 1500;
  }

  /** The data path subscribes only once the tunnel is up, i.e. after connect() succeeded. */
  private connected(): FailoverInner {
    if (!this.current || !this.server) throw new Error('the data path subscribed before a server was connected');
    return this.current;
  }
}
