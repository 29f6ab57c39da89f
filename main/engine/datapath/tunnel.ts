// A tunnel that stays up: one session at a time carried over one TUN device, with the system's
// addresses, routes and DNS set through a NetConfigurator. When a session drops for a reason worth
// retrying, the TUN and routes stay in place (applications' sockets survive if the same address
// comes back) while new sessions are tried with capped exponential backoff.
import type { Clock, TimerHandle } from '../clock.js';
import { systemClock } from '../clock.js';
import type { SessionConfig } from '../config.js';
import { failure, type SessionFailure } from '../failure.js';
import type { LogSink } from '../log.js';
import { phaseLogger, silentSink } from '../log.js';
import type { ConnectOutcome, Ipv4Info, SessionDeps, TunnelInfo } from '../session.js';
import type { SessionDataPort } from './data-port.js';
import type { TunOpenResult } from '../tun/tun-device.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { NetConfigurator, RoutingMode } from './net-configurator.js';
import { PacketPump, type PumpStats } from './pump.js';
import { isReconnectable } from './reconnectable.js';

export interface TunnelOptions {
  readonly routing: RoutingMode;
  readonly dns: boolean;
  /** The address our TCP connection goes to (the server, or the proxy): kept off the tunnel. */
  readonly serverAddress: string;
  readonly reconnect: { readonly enabled: boolean; readonly maxAttempts?: number; readonly backoff?: BackoffPolicy };
  /** Upper bound for the TUN MTU (the server's MRU may be lower). */
  readonly mtu?: number;
}

/** What the tunnel needs of a session (SstpSession in the product, a scripted fake in unit tests). */
export interface TunnelSession extends SessionDataPort {
  connect(): Promise<ConnectOutcome>;
  disconnect(): Promise<void>;
  readonly closed: Promise<SessionFailure | null>;
}

export interface TunnelDeps {
  readonly net: NetConfigurator;
  readonly openTun: (name: string) => TunOpenResult;
  readonly createSession: (config: SessionConfig, deps: SessionDeps) => TunnelSession;
  readonly sessionDeps?: SessionDeps;
  readonly clock?: Clock;
  readonly log?: LogSink;
  readonly random?: () => number;
}

export type TunnelState =
  | { readonly state: 'connecting'; readonly attempt: number }
  | {
      readonly state: 'connected';
      readonly interfaceName: string;
      readonly ipv4: Ipv4Info;
      readonly mtu: number;
      readonly routing: RoutingMode;
      readonly dns: readonly string[];
      readonly info: TunnelInfo;
      readonly reconnects: number;
    }
  | { readonly state: 'reconnecting'; readonly attempt: number; readonly delayMs: number; readonly reason: SessionFailure }
  | { readonly state: 'disconnected'; readonly reason: SessionFailure | null };

export class Tunnel {
  private readonly clock: Clock;
  private readonly log;
  private stateValue: TunnelState = { state: 'connecting', attempt: 1 };
  private readonly listeners = new Set<(s: TunnelState) => void>();
  private session: TunnelSession | undefined;
  private pump: PacketPump | undefined;
  private interfaceName: string | undefined;
  private configured: { address: string; peer: string; mtu: number } | undefined;
  private stopping = false;
  private retryTimer: TimerHandle | undefined;
  private reconnects = 0;
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
  }

  get state(): TunnelState {
    return this.stateValue;
  }

  get stats(): PumpStats | undefined {
    return this.pump?.stats;
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
    const outcome = await session.connect();
    if (!outcome.ok) {
      this.finish(outcome.failure);
      return outcome;
    }
    try {
      await this.setUp(session, outcome.info);
    } catch (e) {
      const f = failure('connected', 'cancelled', `Causeway could not set up the tunnel interface: ${(e as Error).message}`, { detail: String(e) });
      await session.disconnect();
      await this.tearDown();
      this.finish(f);
      return { ok: false, failure: f, timings: outcome.info.timings };
    }
    return outcome;
  }

  /** Disconnects cleanly and undoes the system configuration. */
  async stop(): Promise<void> {
    if (this.stopping) return this.done.then(() => undefined);
    this.stopping = true;
    this.retryTimer?.cancel();
    const session = this.session;
    this.session = undefined;
    if (session) await session.disconnect();
    await this.settled;
    await this.tearDown();
    this.finish(null);
  }

  // ---------------------------------------------------------------------------------------------

  private async setUp(session: TunnelSession, info: TunnelInfo): Promise<void> {
    const net = this.deps.net;
    const name = await net.createTun();
    this.interfaceName = name;
    const mtu = Math.min(info.peerMru, this.options.mtu ?? 1500);
    const peer = info.ipv4.peer ?? info.ipv4.local;
    await net.configure({ name, address: info.ipv4.local, peer, mtu });
    this.configured = { address: info.ipv4.local, peer, mtu };
    const opened = this.deps.openTun(name);
    if (!opened.ok) throw new Error(`cannot attach to ${name}: ${opened.error.code} ${opened.error.message}`);
    this.pump = new PacketPump(opened.device);
    opened.device.onError((e) => {
      this.log.error(`TUN ${name} failed: ${e.code} ${e.message}`);
      void this.stop();
    });
    this.attach(session);
    await net.setRoutes({ name, routing: this.options.routing, serverAddress: this.options.serverAddress });
    const dns = this.options.dns ? info.ipv4.dns : [];
    if (dns.length > 0) await net.setDns({ name, servers: dns });
    this.setState({ state: 'connected', interfaceName: name, ipv4: info.ipv4, mtu, routing: this.options.routing, dns, info, reconnects: this.reconnects });
  }

  private attach(session: TunnelSession): void {
    this.session = session;
    this.pump?.attach(session);
    void session.closed.then((f) => {
      if (this.session !== session || this.stopping) return;
      this.session = undefined;
      this.pump?.detach();
      if (f) this.dropped(f);
    });
  }

  private dropped(reason: SessionFailure): void {
    this.log.warn(`session ended: ${reason.code}: ${reason.message}`);
    const r = this.options.reconnect;
    if (!r.enabled || !isReconnectable(reason.code)) {
      void this.tearDown().then(() => this.finish(reason));
      return;
    }
    this.scheduleRetry(1, reason);
  }

  private scheduleRetry(attempt: number, reason: SessionFailure): void {
    const r = this.options.reconnect;
    if (r.maxAttempts !== undefined && attempt > r.maxAttempts) {
      void this.tearDown().then(() => this.finish(reason));
      return;
    }
    const delayMs = backoffDelay(attempt, r.backoff ?? DEFAULT_BACKOFF, this.deps.random);
    this.setState({ state: 'reconnecting', attempt, delayMs, reason });
    this.retryTimer = this.clock.after(delayMs, () => {
      this.settled = this.retry(attempt);
    });
  }

  private async retry(attempt: number): Promise<void> {
    if (this.stopping) return;
    const session = this.deps.createSession(this.config, this.deps.sessionDeps ?? {});
    this.session = session;
    const outcome = await session.connect();
    if (this.stopping) {
      if (outcome.ok) await session.disconnect();
      return;
    }
    if (!outcome.ok) {
      this.session = undefined;
      if (!isReconnectable(outcome.failure.code)) {
        await this.tearDown();
        this.finish(outcome.failure);
        return;
      }
      this.scheduleRetry(attempt + 1, outcome.failure);
      return;
    }
    this.reconnects++;
    const info = outcome.info;
    const name = this.interfaceName;
    if (!name) return;
    const peer = info.ipv4.peer ?? info.ipv4.local;
    const mtu = Math.min(info.peerMru, this.options.mtu ?? 1500);
    const c = this.configured;
    if (!c || c.address !== info.ipv4.local || c.peer !== peer || c.mtu !== mtu) {
      // A new address: sockets bound to the old one break, as they must; routes follow the device.
      this.log.info(`reconnected with a new address ${info.ipv4.local} (was ${c?.address ?? 'none'})`);
      await this.deps.net.configure({ name, address: info.ipv4.local, peer, mtu });
      await this.deps.net.setRoutes({ name, routing: this.options.routing, serverAddress: this.options.serverAddress });
      this.configured = { address: info.ipv4.local, peer, mtu };
    }
    this.attach(session);
    const dns = this.options.dns ? info.ipv4.dns : [];
    this.setState({ state: 'connected', interfaceName: name, ipv4: info.ipv4, mtu, routing: this.options.routing, dns, info, reconnects: this.reconnects });
  }

  private async tearDown(): Promise<void> {
    this.pump?.stop();
    this.pump = undefined;
    if (this.interfaceName !== undefined) {
      this.interfaceName = undefined;
      try {
        await this.deps.net.teardown();
      } catch (e) {
        this.log.error(`system configuration could not be fully undone: ${(e as Error).message}`);
      }
    }
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
