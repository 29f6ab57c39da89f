// A tunnel that stays up: one session at a time, over a data plane (a TUN device with the system's
// addresses, routes and DNS, or none: session-only). When a session drops for a reason worth
// retrying, the data plane stays in place (applications' sockets survive if the same address comes
// back) while new sessions are tried with capped exponential backoff.
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { SessionConfig } from '../config.js';
import { failure, type SessionFailure } from '../failure.js';
import type { LogSink } from '../log.js';
import { phaseLogger, silentSink } from '../log.js';
import type { ConnectOutcome, Ipv4Info, SessionDeps, TunnelInfo } from '../session.js';
import type { SessionDataPort } from './data-port.js';
import type { TunOpenResult } from '../tun/tun-device.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { sessionOnlyDataPlane, SystemDataPlane, type DataPlane, type DataPlaneView } from './data-plane.js';
import type { Ipv6View } from './ipv6-link.js';
import type { NetConfigurator, RoutingMode } from './net-configurator.js';
import type { PumpStats } from './pump.js';
import { isReconnectable, RetryScheduler, type RetryState } from './reconnectable.js';

/** Why the tunnel is checked at once: the machine woke up, the process was frozen, the route changed. */
export type ProbeReason = 'resume' | 'clock-jump' | 'network-change';

/** How long a probe's SSTP echo may take before the session is declared dead (see Tunnel.probe). */
export const DEFAULT_PROBE_TIMEOUT_MS = 750;

export interface TunnelOptions {
  /** Routing, DNS and server address apply to the system data plane only. */
  readonly routing: RoutingMode;
  readonly dns: boolean;
  /** The address our TCP connection goes to (the server, or the proxy): kept off the tunnel. */
  readonly serverAddress: string;
  /** The server's other addresses (happy eyeballs, a server list), kept off the tunnel as well. */
  readonly serverAddresses?: readonly string[];
  readonly reconnect: { readonly enabled: boolean; readonly maxAttempts?: number; readonly backoff?: BackoffPolicy };
  /** Upper bound for the TUN MTU (the server's MRU may be lower). */
  readonly mtu?: number;
  /** TCP MSS clamping on the TUN side (see DataPlaneSettings.mssClamp). */
  readonly mssClamp?: number | 'mtu';
  /** Tunnel.probe's bound on the echo's answer (default DEFAULT_PROBE_TIMEOUT_MS). */
  readonly probeTimeoutMs?: number;
}

/** What the tunnel needs of a session (SstpSession in the product, a scripted fake in unit tests). */
export interface TunnelSession extends SessionDataPort {
  connect(): Promise<ConnectOutcome>;
  disconnect(): Promise<void>;
  readonly closed: Promise<SessionFailure | null>;
  /** An SSTP echo now, answered within timeoutMs or the session fails (SstpSession.probe). */
  probe?(timeoutMs: number): Promise<boolean>;
}

/** The system data plane: both, or neither for a session-only tunnel that leaves the system alone. */
export type TunnelSystemDeps =
  | { readonly net: NetConfigurator; readonly openTun: (name: string) => TunOpenResult }
  | { readonly net?: undefined; readonly openTun?: undefined };

export type RenewedConfig =
  { readonly ok: true; readonly config: SessionConfig } | { readonly ok: false; readonly failure: SessionFailure };

export type TunnelDeps = TunnelSystemDeps & {
  readonly createSession: (config: SessionConfig, deps: SessionDeps) => TunnelSession;
  /**
   * Before each reconnect: the config to use (e.g. with a fresh one-time code, which must never be
   * replayed), or the failure that ends the tunnel (the user gave none). With it, an authentication
   * failure on a reconnect asks again at once instead of backing off with a code known to be spent.
   */
  readonly renewConfig?: (attempt: number) => Promise<RenewedConfig>;
  readonly sessionDeps?: SessionDeps;
  readonly clock?: Clock;
  readonly log?: LogSink;
  readonly random?: () => number;
};

type ConnectedState = {
  readonly state: 'connected';
  /** null: session-only; then no routes or DNS were applied either. */
  readonly interfaceName: string | null;
  readonly ipv4: Ipv4Info;
  readonly mtu: number;
  readonly routing: RoutingMode;
  readonly dns: readonly string[];
  readonly info: TunnelInfo;
  readonly reconnects: number;
  /** The TUN's IPv6 (link-local, the RA's address, RDNSS); absent without IPv6 on it. */
  readonly ipv6?: Ipv6View;
};

export type TunnelState =
  | { readonly state: 'connecting'; readonly attempt: number }
  | ConnectedState
  /** Was connected, but has not answered since `reason`: a probe is in flight. Never shown as connected. */
  | { readonly state: 'checking'; readonly reason: ProbeReason }
  | RetryState
  | { readonly state: 'disconnected'; readonly reason: SessionFailure | null };

export class Tunnel {
  private readonly clock: Clock;
  private readonly log;
  private readonly plane: DataPlane;
  private stateValue: TunnelState = { state: 'connecting', attempt: 1 };
  private readonly listeners = new Set<(s: TunnelState) => void>();
  private session: TunnelSession | undefined;
  private stopping = false;
  private readonly retries: RetryScheduler;
  /** The last 'connected' state: shown again once a probe is answered. */
  private lastConnected: ConnectedState | undefined;
  private reconnects = 0;
  /** The step in flight (first set-up or a retry): stop() waits for it before tearing down. */
  private settled: Promise<void> = Promise.resolve();
  private resolveDone!: (reason: SessionFailure | null) => void;
  /** Resolves when the tunnel is down for good, with why (null: stopped on request). */
  readonly done: Promise<SessionFailure | null>;

  constructor(
    private readonly config: SessionConfig,
    private readonly options: TunnelOptions,
    private readonly deps: TunnelDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.log = phaseLogger(deps.log ?? silentSink, 'connected', () => this.clock.now());
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.retries = new RetryScheduler({
      clock: this.clock,
      policy: options.reconnect.backoff ?? DEFAULT_BACKOFF,
      ...(deps.random ? { random: deps.random } : {}),
      onState: (s) => this.setState(s),
      run: (attempt) => {
        this.settled = this.retry(attempt);
      },
    });
    this.plane = deps.net
      ? new SystemDataPlane(options, {
          net: deps.net,
          openTun: deps.openTun,
          log: this.log,
          clock: this.clock,
          onIpv6: (view) => this.ipv6Changed(view),
          onDeviceError: () =>
            void this.shutDown(
              failure(
                'connected',
                'data-path-failed',
                'The tunnel interface failed under Causeway, so the tunnel was closed. Connect again.',
              ),
            ),
        })
      : sessionOnlyDataPlane(options);
  }

  get state(): TunnelState {
    return this.stateValue;
  }

  /** Packets the system sent and received through the tunnel; undefined when session-only. */
  get stats(): PumpStats | undefined {
    return this.plane.stats;
  }

  onState(listener: (s: TunnelState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Brings the tunnel up. Resolves with the first session's outcome: a failure before the first
   * success is final (nothing was set up, nothing is retried).
   */
  async start(): Promise<ConnectOutcome> {
    this.setState({ state: 'connecting', attempt: 1 });
    const session = this.deps.createSession(this.config, this.deps.sessionDeps ?? {});
    this.plane.watch?.(session);
    // Known before it is up, so that stop() can cancel a connect in progress.
    this.session = session;
    const outcome = await session.connect();
    if (!outcome.ok && this.session === session) this.session = undefined;
    if (this.stopping) {
      if (!outcome.ok) return outcome;
      await session.disconnect();
      return {
        ok: false,
        failure: failure('connected', 'cancelled', 'The tunnel was stopped while it was coming up.'),
        timings: outcome.info.timings,
      };
    }
    if (!outcome.ok) {
      this.finish(outcome.failure);
      return outcome;
    }
    const setUp = this.setUp(session, outcome.info);
    this.settled = setUp.then(
      () => {},
      () => {},
    );
    try {
      await setUp;
    } catch (e) {
      const f = failure(
        'connected',
        'cancelled',
        `Causeway could not set up the tunnel interface: ${(e as Error).message}`,
        { detail: String(e) },
      );
      await session.disconnect();
      await this.plane.tearDown();
      this.finish(f);
      return { ok: false, failure: f, timings: outcome.info.timings };
    }
    return outcome;
  }

  /**
   * Something suggests the tunnel may be dead (a resume, a frozen process, a route change): when
   * connected, an SSTP echo now — 'checking' until it is answered, a dead session (and a reconnect)
   * when it is not, within options.probeTimeoutMs. When a reconnect is owed, it runs now.
   */
  probe(reason: ProbeReason): void {
    if (this.stopping) return;
    if (this.retries.hurry()) return;
    const session = this.session;
    const shown = this.lastConnected;
    if (this.stateValue.state !== 'connected' || !session?.probe || !shown) return;
    this.log.info(`checking the tunnel (${reason})`);
    this.setState({ state: 'checking', reason });
    void session.probe(this.options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS).then((answered) => {
      if (!answered || this.session !== session || this.stopping || this.stateValue.state !== 'checking') return;
      this.log.info('the server answered the check');
      this.setState(shown);
    });
  }

  /**
   * The route to the server changed (reachable: there still is one), went away or came back. No
   * attempts run while there is none ('waiting-for-network'); one runs at once when it is back.
   */
  networkChanged(reachable: boolean): void {
    if (this.stopping) return;
    this.retries.network(reachable);
    if (this.stateValue.state === 'connected') this.probe('network-change');
  }

  /** Disconnects cleanly and undoes the system configuration. */
  stop(): Promise<void> {
    return this.shutDown(null);
  }

  // ---------------------------------------------------------------------------------------------

  /** Ends the tunnel for good: on request (null), or because what carries it broke. */
  private async shutDown(reason: SessionFailure | null): Promise<void> {
    if (this.stopping) return this.done.then(() => undefined);
    this.stopping = true;
    this.retries.cancel();
    const session = this.session;
    this.session = undefined;
    if (session) await session.disconnect();
    await this.settled;
    await this.plane.tearDown();
    this.finish(reason);
  }

  private async setUp(session: TunnelSession, info: TunnelInfo): Promise<void> {
    const view = await this.plane.setUp(session, info);
    this.attach(session);
    if (!this.stopping) this.connected(view, info);
  }

  private attach(session: TunnelSession): void {
    this.session = session;
    void session.closed.then((f) => {
      if (this.session !== session || this.stopping) return;
      this.session = undefined;
      this.plane.detach();
      if (f) this.dropped(f);
    });
  }

  private dropped(reason: SessionFailure): void {
    this.log.warn(`session ended: ${reason.code}: ${reason.message}`);
    const r = this.options.reconnect;
    if (!r.enabled || !isReconnectable(reason.code)) {
      void this.plane.tearDown().then(() => this.finish(reason));
      return;
    }
    // A failed check follows a resume or a route change: the network is back (or known gone, and
    // then the retry waits for it anyway), so the first attempt need not wait out a backoff.
    const checked = this.stateValue.state === 'checking';
    this.scheduleRetry(1, reason);
    if (checked) this.retries.hurry();
  }

  private attemptsExhausted(attempt: number): boolean {
    const max = this.options.reconnect.maxAttempts;
    return max !== undefined && attempt > max;
  }

  private scheduleRetry(attempt: number, reason: SessionFailure): void {
    if (this.attemptsExhausted(attempt)) {
      void this.plane.tearDown().then(() => this.finish(reason));
      return;
    }
    this.retries.schedule(attempt, reason);
  }

  private async retry(attempt: number): Promise<void> {
    if (this.stopping) return;
    let config = this.config;
    if (this.deps.renewConfig) {
      const renewed = await this.deps.renewConfig(attempt);
      if (this.stopping) return;
      if (!renewed.ok) {
        await this.plane.tearDown();
        this.finish(renewed.failure);
        return;
      }
      config = renewed.config;
    }
    const session = this.deps.createSession(config, this.deps.sessionDeps ?? {});
    this.plane.watch?.(session);
    this.session = session;
    const outcome = await session.connect();
    if (this.stopping) {
      if (outcome.ok) await session.disconnect();
      return;
    }
    if (!outcome.ok) {
      this.session = undefined;
      if (outcome.failure.code === 'auth-failed' && this.deps.renewConfig && !this.attemptsExhausted(attempt + 1)) {
        this.log.warn(`authentication failed on reconnect: ${outcome.failure.message} Asking again.`);
        this.settled = this.retry(attempt + 1);
        return;
      }
      if (!isReconnectable(outcome.failure.code)) {
        await this.plane.tearDown();
        this.finish(outcome.failure);
        return;
      }
      this.scheduleRetry(attempt + 1, outcome.failure);
      return;
    }
    this.reconnects++;
    let view: DataPlaneView;
    try {
      view = await this.plane.resume(session, outcome.info);
    } catch (e) {
      const f = failure(
        'connected',
        'data-path-failed',
        `Causeway could not bring the tunnel interface back: ${(e as Error).message}`,
        { detail: String(e) },
      );
      this.session = undefined;
      await session.disconnect();
      await this.plane.tearDown();
      this.finish(f);
      return;
    }
    this.attach(session);
    if (!this.stopping) this.connected(view, outcome.info);
  }

  private connected(view: DataPlaneView, info: TunnelInfo): void {
    this.lastConnected = {
      state: 'connected',
      interfaceName: view.interfaceName,
      ipv4: info.ipv4,
      mtu: view.mtu,
      routing: this.options.routing,
      dns: view.dns,
      info,
      reconnects: this.reconnects,
      ...(this.plane.ipv6 === undefined ? {} : { ipv6: this.plane.ipv6 }),
    };
    this.setState(this.lastConnected);
  }

  /** IPv6 came up (IPv4 did not wait for it), got its address from an RA, or went: shown at once. */
  private ipv6Changed(view: Ipv6View | undefined): void {
    const last = this.lastConnected;
    if (last === undefined) return;
    const { ipv6: _old, ...rest } = last;
    this.lastConnected = view === undefined ? rest : { ...rest, ipv6: view };
    if (this.stateValue.state === 'connected') this.setState(this.lastConnected);
  }

  private finish(reason: SessionFailure | null): void {
    if (this.stateValue.state === 'disconnected') return;
    this.setState({ state: 'disconnected', reason });
    this.resolveDone(reason);
  }

  private setState(s: TunnelState): void {
    this.stateValue = s;
    for (const l of this.listeners) l(s);
  }
}
