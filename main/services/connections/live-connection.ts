// One connection of one profile, carried by the engine's Tunnel (which owns reconnect, backoff and the
// data plane). What this adds: a log file per session attempt, the attempt's phases, byte counting,
// the service's own packets (ping) through the live session, and releasing the helper at the end.
import type { Clock } from '../../engine/clock.js';
import { dialingAddress, dialingAddresses, type SessionConfig } from '../../engine/config.js';
import { Tunnel, type TunnelDeps, type TunnelState } from '../../engine/datapath/tunnel.js';
import type { SessionFailure, Phase } from '../../engine/failure.js';
import type { LogEntry } from '../../engine/log.js';
import type { IpPacketPort } from '../../engine/packet/ping.js';
import type { SessionDeps } from '../../engine/session.js';
import type { ConnectionLog } from '../logs/connection-log.js';
import type { ConnectionLogs } from '../logs/connection-logs.js';
import type { Profile } from '../../contract/profile.js';
import { ByteCounter } from './byte-counter.js';
import type { SessionFactory, SessionLike, SystemPlaneLease } from './ports.js';

/** Dead-peer detection for app tunnels: a silent server is noticed within two intervals (as `causeway connect`). */
const KEEPALIVE_MS = 20_000;

export interface LiveConnectionEvents {
  /** A session attempt began (the first, or a reconnect), logging to its own file. */
  attempt(attempt: number): void;
  phase(phase: Phase, attempt: number): void;
  /** Authentication began and may take until `deadline` (an MFA push): for a countdown. */
  authPending(deadline: number, waitMs: number, attempt: number): void;
  log(entry: LogEntry, attempt: number): void;
  tunnel(state: TunnelState): void;
}

export interface LiveConnectionArgs {
  readonly profile: Profile;
  readonly config: SessionConfig;
  /** Before each reconnect (one-time codes): see TunnelDeps.renewConfig. */
  readonly renewConfig?: TunnelDeps['renewConfig'];
  readonly secrets: readonly string[];
  /** The first attempt's log, opened by the caller so that failing to open it fails the connect. */
  readonly firstLog: ConnectionLog;
  readonly logs: ConnectionLogs;
  readonly createSession: SessionFactory;
  readonly plane?: SystemPlaneLease;
  /** More addresses kept outside the tunnel: a server list's alternates (server-failover.ts). */
  readonly alsoProtect?: readonly string[];
  readonly clock: Clock;
  readonly random?: () => number;
  /** Watches what can kill a tunnel silently (sleep, a frozen process, the route); started with it. */
  readonly watch?: TunnelWatcher;
  readonly events: LiveConnectionEvents;
}

/** Drives Tunnel.probe / networkChanged for one tunnel (services/system/tunnel-watch.ts in the app). */
export type TunnelWatcher = (
  tunnel: Pick<Tunnel, 'probe' | 'networkChanged'>,
  serverAddresses: readonly string[],
  log: (e: LogEntry) => void,
) => { stop(): void };

export class LiveConnection {
  readonly counter: ByteCounter;
  readonly tunnel: Tunnel;
  /** Resolves once the tunnel is down for good, the helper released and the last log closed. */
  readonly done: Promise<SessionFailure | null>;
  /** The user asked for this to end: a close is not a drop. */
  stopping = false;
  private log: ConnectionLog;
  private pendingFirstLog: ConnectionLog | undefined;
  private session: SessionLike | undefined;

  constructor(private readonly a: LiveConnectionArgs) {
    this.log = a.firstLog;
    this.pendingFirstLog = a.firstLog;
    this.follow(a.firstLog);
    const { profile, plane } = a;
    const common = {
      createSession: (config: SessionConfig, deps: SessionDeps) => this.newSession(config, deps),
      clock: a.clock,
      // The tunnel's own lines (drops, new addresses) go to the attempt they concern.
      log: (e: LogEntry) => this.log.sink(e),
      ...(a.random ? { random: a.random } : {}),
      ...(a.renewConfig ? { renewConfig: this.renewing(a.renewConfig) } : {}),
    };
    const deps: TunnelDeps = plane ? { ...common, net: plane.net, openTun: plane.openTun } : common;
    this.tunnel = new Tunnel(
      // With the system data plane, dial exactly the address whose host route stays outside the tunnel.
      plane ? dialingPlane(a.config, plane) : a.config,
      {
        routing:
          profile.routing.mode === 'split' ? { mode: 'split', routes: profile.routing.routes } : { mode: 'full' },
        dns: profile.dns,
        // Only the system data plane routes; session-only tunnels never look at it.
        serverAddress: plane?.serverAddress ?? profile.server.host,
        ...(plane?.serverAddresses || a.alsoProtect
          ? { serverAddresses: [...new Set([...(plane?.serverAddresses ?? []), ...(a.alsoProtect ?? [])])] }
          : {}),
        reconnect: {
          enabled: profile.reconnect.enabled,
          ...(profile.reconnect.maxAttempts !== undefined ? { maxAttempts: profile.reconnect.maxAttempts } : {}),
        },
        ...(profile.mtu !== undefined ? { mtu: profile.mtu } : {}),
        ...(profile.mssClamp ? { mssClamp: 'mtu' as const } : {}),
      },
      deps,
    );
    this.counter = new ByteCounter(() => this.tunnel.stats);
    this.tunnel.onState((s) => a.events.tunnel(s));
    this.done = this.tunnel.done.then(async (reason) => {
      await plane?.release().catch((e: unknown) =>
        this.log.sink({
          time: a.clock.now(),
          level: 'warn',
          phase: 'connected',
          message: `helper did not close cleanly: ${String(e)}`,
        }),
      );
      this.log.close();
      return reason;
    });
  }

  get attempt(): number {
    return this.log.info.attempt;
  }

  /** An IP port through the live session, counted; undefined while no session is up. */
  ownPort(): IpPacketPort | undefined {
    return this.session && this.tunnel.state.state === 'connected' ? this.counter.port(this.session) : undefined;
  }

  start(): void {
    const plane = this.a.plane;
    // Without the system data plane the server is a name only the dialer resolves: no route to watch.
    const addresses = plane ? (plane.serverAddresses ?? [plane.serverAddress]) : [];
    const watching = this.a.watch?.(this.tunnel, addresses, (e) => this.log.sink(e));
    if (watching) void this.tunnel.done.then(() => watching.stop());
    void this.tunnel.start();
  }

  /** A renewed config dials the same protected address as the first (see dialingAddress). */
  private renewing(renew: NonNullable<TunnelDeps['renewConfig']>): NonNullable<TunnelDeps['renewConfig']> {
    const plane = this.a.plane;
    return async (attempt) => {
      const r = await renew(attempt);
      return r.ok && plane ? { ok: true, config: dialingPlane(r.config, plane) } : r;
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.tunnel.stop();
    await this.done;
  }

  private newSession(config: SessionConfig, deps: SessionDeps): SessionLike {
    this.nextLog();
    const attempt = this.attempt;
    const session = this.a.createSession(config, {
      ...deps,
      log: this.log.sink,
      clock: this.a.clock,
      sstpTimers: { helloIntervalMs: KEEPALIVE_MS },
      lcpEchoIntervalMs: KEEPALIVE_MS,
    });
    this.session = session;
    this.counter.watch(session);
    session.onEvent((e) => {
      if (this.session !== session) return;
      if (e.type === 'phase') this.a.events.phase(e.phase, attempt);
      else if (e.type === 'auth-pending') this.a.events.authPending(e.deadline, e.waitMs, attempt);
    });
    this.a.events.attempt(attempt);
    return session;
  }

  /** Every session after the first gets a log file of its own; the previous one is finished. */
  private nextLog(): void {
    if (this.pendingFirstLog) {
      this.pendingFirstLog = undefined;
      return;
    }
    const next = this.a.logs.start(this.a.profile.id, { secrets: this.a.secrets });
    if (!next.ok) {
      // Keep writing to the previous attempt's file rather than losing the lines.
      this.log.sink({
        time: this.a.clock.now(),
        level: 'warn',
        phase: 'tcp',
        message: `a new attempt log could not be opened: ${next.error.message}`,
      });
      return;
    }
    this.log.close();
    this.log = next.value;
    this.follow(next.value);
  }

  private follow(log: ConnectionLog): void {
    const attempt = log.info.attempt;
    log.subscribe((entry) => this.a.events.log(entry, attempt));
  }
}

/**
 * The config dialling the plane's protected addresses (all of them raced when the name has several),
 * with the LAN gateways IPCP may not assign.
 */
function dialingPlane(config: SessionConfig, plane: SystemPlaneLease): SessionConfig {
  const dialing = plane.serverAddresses
    ? dialingAddresses(config, { address: plane.serverAddress, addresses: plane.serverAddresses })
    : dialingAddress(config, plane.serverAddress);
  return plane.lanGateways ? { ...dialing, lanGateways: plane.lanGateways } : dialing;
}
