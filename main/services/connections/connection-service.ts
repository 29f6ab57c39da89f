// Connection state per profile, owned here and pushed as snapshots. One attempt at a time per profile:
// profile + keychain + trust → SessionConfig → SstpSession (logged to a per-attempt file) → optional
// data plane. Untrusted certificates become trust prompts; a changed pin is its own loud state; dropped
// tunnels are reconnected with backoff when the profile says so.
import type { Clock, TimerHandle } from '../../engine/clock.js';
import { systemClock } from '../../engine/clock.js';
import { displayFingerprint } from '../trust/certificate.js';
import type { SessionFailure } from '../../engine/failure.js';
import { pingOnce } from '../../engine/packet/ping.js';
import type { TunnelInfo } from '../../engine/session.js';
import type { ConnectionSnapshot, ConnectionState, TrustPrompt, LogLine } from '../../contract/model.js';
import type { ConnectResult, PingResult, StartError, TestConnectionResult, TrustAcceptResult } from '../../contract/results.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { ConnectionLog } from '../logs/connection-log.js';
import type { ConnectionLogs } from '../logs/connection-logs.js';
import type { Profile } from '../profiles/schema.js';
import type { ProfileStore } from '../profiles/store.js';
import { ByteCounter } from './byte-counter.js';
import type { AttachedTunnel, SessionFactory, SessionLike, TunnelAttacher } from './ports.js';
import { buildSessionConfig } from './session-config.js';
import { TrustPrompts } from './trust-prompts.js';
import { failureView, isRetryable, reconnectDelayMs, tlsView } from './views.js';

export type ConnectionServiceEvent =
  | { readonly type: 'snapshot'; readonly snapshot: ConnectionSnapshot }
  | { readonly type: 'log'; readonly line: LogLine }
  | { readonly type: 'trust-prompt'; readonly prompt: TrustPrompt }
  | { readonly type: 'trust-resolved'; readonly promptId: string };

export interface ConnectionServiceDeps {
  readonly store: ProfileStore;
  readonly credentials: CredentialStore;
  readonly logs: ConnectionLogs;
  readonly createSession: SessionFactory;
  readonly attacher?: TunnelAttacher;
  readonly clock?: Clock;
  /** How often moving byte counters are pushed. */
  readonly counterIntervalMs?: number;
}

interface Live {
  readonly session: SessionLike;
  readonly log: ConnectionLog;
  readonly counter: ByteCounter;
  tunnel?: AttachedTunnel;
  ticker?: TimerHandle;
  /** The user asked for this to end: a close is not a drop. */
  stopping: boolean;
}

interface Entry {
  state: ConnectionState;
  live?: Live;
  retryTimer?: TimerHandle;
  retries: number;
  /** Bumped by every connect/disconnect intent, so a stale async step knows to give up. */
  generation: number;
  /** A password typed for this run (not remembered): reused by reconnects and trust retries only. */
  transientPassword?: string;
}

export class ConnectionService {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(e: ConnectionServiceEvent) => void>();
  private readonly prompts = new TrustPrompts();
  private readonly clock: Clock;

  constructor(private readonly deps: ConnectionServiceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  subscribe(listener: (e: ConnectionServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  snapshot(profileId: string): ConnectionSnapshot {
    return { profileId, ...(this.entries.get(profileId)?.state ?? { state: 'disconnected' }) };
  }

  snapshots(): ConnectionSnapshot[] {
    return [...this.entries.keys()].map((id) => this.snapshot(id));
  }

  pendingPrompts(): TrustPrompt[] {
    return this.prompts.list();
  }

  /** The attempt whose log is being written for this profile, if any. */
  liveAttempt(profileId: string): number | null {
    return this.entries.get(profileId)?.live?.log.info.attempt ?? null;
  }

  /** Starts an attempt; its progress and outcome arrive as snapshots. */
  async connect(profileId: string, opts: { password?: string; remember?: boolean } = {}): Promise<ConnectResult> {
    const entry = this.entry(profileId);
    if (entry.live && !entry.live.stopping) return { ok: true };
    const gen = ++entry.generation;
    entry.retryTimer?.cancel();
    entry.retries = 0;
    const started = await this.start(profileId, entry, gen, opts);
    if (!started.ok) return { ok: false, error: started.error };
    return { ok: true };
  }

  async disconnect(profileId: string): Promise<void> {
    const entry = this.entries.get(profileId);
    if (!entry) return;
    entry.generation++;
    entry.retryTimer?.cancel();
    entry.transientPassword = undefined;
    for (const id of this.prompts.forProfile(profileId)) this.dismissPrompt(id);
    const live = entry.live;
    if (!live) {
      this.set(profileId, entry, { state: 'disconnected' });
      return;
    }
    live.stopping = true;
    this.set(profileId, entry, { state: 'disconnecting' });
    await live.tunnel?.detach().catch(() => {});
    await live.session.disconnect();
    // The close handler finishes the bookkeeping; make sure the state ends right even if it ran first.
    if (entry.live === live) this.retire(entry);
    this.set(profileId, entry, { state: 'disconnected' });
  }

  /** Disconnects everything (quit). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.disconnect(id)));
  }

  /** One full attempt outside the profile's connection state: phase timings, TLS, a ping, a clean end. */
  async test(profileId: string, opts: { password?: string } = {}): Promise<TestConnectionResult> {
    const prepared = await this.prepare(profileId, opts);
    if (!prepared.ok) return { ok: false, error: prepared.error };
    const { profile, config, log } = prepared;
    const attempt = log.info.attempt;
    const stopTail = this.forwardLog(profileId, log);
    const session = this.deps.createSession(config, { log: log.sink, clock: this.clock });
    try {
      const outcome = await session.connect();
      if (!outcome.ok) {
        this.promptForCertificate(profile, outcome.failure, opts.password);
        const f = outcome.failure;
        return { ok: false, error: { kind: 'failed', failure: failureView(f), timings: outcome.timings, attempt, ...(f.certificate ? { certificate: f.certificate } : {}) } };
      }
      const info = outcome.info;
      const ping = info.ipv4.peer ? await pingOnce(session, this.clock, info.ipv4.local, info.ipv4.peer, 3000) : null;
      await session.disconnect();
      return {
        ok: true,
        timings: info.timings,
        tls: tlsView(info.tls),
        ipv4: info.ipv4.local,
        peer: info.ipv4.peer,
        dns: info.ipv4.dns,
        ping: ping ? (ping.ok ? { ok: true, rttMs: ping.rttMs } : { ok: false, reason: ping.reason }) : null,
        attempt,
      };
    } finally {
      stopTail();
      log.close();
    }
  }

  /** An ICMP echo to the server's tunnel address: proves the data path and moves the counters. */
  async ping(profileId: string): Promise<PingResult> {
    const entry = this.entries.get(profileId);
    const s = entry?.state;
    const live = entry?.live;
    if (!live || s?.state !== 'connected') return { ok: false, error: { kind: 'not-connected', message: 'The profile is not connected.' } };
    const target = s.addresses.peer ?? s.dns[0];
    if (!target) return { ok: false, error: { kind: 'no-reply', message: 'The server announced no address to ping.' } };
    const r = await pingOnce(live.counter.port, this.clock, s.addresses.ipv4, target, 3000);
    this.pushCounters(profileId, entry);
    return r.ok ? { ok: true, rttMs: r.rttMs, from: r.from } : { ok: false, error: { kind: 'no-reply', message: r.reason } };
  }

  /** "Trust this certificate for this profile": pin it, then connect again. */
  async acceptPrompt(promptId: string): Promise<TrustAcceptResult> {
    const pending = this.prompts.take(promptId);
    if (!pending) return { ok: false, error: { kind: 'expired', message: 'This certificate question is no longer open.' } };
    this.emit({ type: 'trust-resolved', promptId });
    const { profileId, certificate } = pending.prompt;
    const pinned = await this.deps.store.update(profileId, (p) => ({ ...p, tls: { ...p.tls, pinnedSha256: certificate.sha256 } }));
    if (!pinned.ok) return { ok: false, error: { kind: 'store', message: pinned.error.message } };
    return this.connect(profileId, pending.password !== undefined ? { password: pending.password } : {});
  }

  dismissPrompt(promptId: string): void {
    if (this.prompts.take(promptId)) this.emit({ type: 'trust-resolved', promptId });
  }

  // --------------------------------------------------------------------------------------------

  private async prepare(profileId: string, opts: { password?: string; remember?: boolean }) {
    const found = await this.deps.store.get(profileId);
    if (!found.ok) {
      const error: StartError = found.error.kind === 'not-found' ? { kind: 'not-found', message: found.error.message } : { kind: 'store', message: found.error.message };
      return { ok: false as const, error };
    }
    const profile = found.value;
    const built = await buildSessionConfig(profile, this.deps.credentials, opts.password !== undefined ? { password: opts.password } : {});
    if (!built.ok) return built;
    if (opts.remember && opts.password !== undefined) {
      const saved = await this.deps.credentials.set(profileId, 'password', opts.password);
      if (!saved.ok) return { ok: false as const, error: { kind: 'keychain-unavailable' as const, message: saved.error.message } };
    }
    const log = this.deps.logs.start(profileId, { secrets: built.secrets });
    if (!log.ok) return { ok: false as const, error: { kind: 'configuration' as const, message: log.error.message } };
    return { ok: true as const, profile, config: built.config, secrets: built.secrets, log: log.value };
  }

  private async start(profileId: string, entry: Entry, gen: number, opts: { password?: string; remember?: boolean }): Promise<{ ok: true } | { ok: false; error: StartError }> {
    const password = opts.password ?? entry.transientPassword;
    const prepared = await this.prepare(profileId, { ...opts, ...(password !== undefined ? { password } : {}) });
    if (!prepared.ok) return prepared;
    const { profile, config, log } = prepared;
    if (gen !== entry.generation) {
      log.close();
      return { ok: true };
    }
    entry.transientPassword = opts.remember ? undefined : password;
    const stopTail = this.forwardLog(profileId, log);
    const session = this.deps.createSession(config, { log: log.sink, clock: this.clock });
    const live: Live = { session, log, counter: new ByteCounter(session), stopping: false };
    entry.live = live;
    const attempt = log.info.attempt;
    this.set(profileId, entry, { state: 'connecting', phase: 'tcp', attempt });
    session.onEvent((e) => {
      if (e.type === 'phase' && entry.live === live && entry.state.state === 'connecting') this.set(profileId, entry, { state: 'connecting', phase: e.phase, attempt });
    });
    void session.closed.then((f) => {
      stopTail();
      this.onClosed(profile, entry, live, f);
    });
    void this.finishConnect(profile, entry, live, attempt);
    return { ok: true };
  }

  private async finishConnect(profile: Profile, entry: Entry, live: Live, attempt: number): Promise<void> {
    const outcome = await live.session.connect();
    if (entry.live !== live || live.stopping) return;
    if (!outcome.ok) return; // onClosed reports it: the session resolves `closed` with the same failure.
    let dataPlane: 'tunnel' | 'session' = 'session';
    if (this.deps.attacher) {
      const attached = await this.deps.attacher.attach({ profile, info: outcome.info, port: live.counter.port });
      if (!attached.ok) {
        live.stopping = true;
        await live.session.disconnect();
        this.retire(entry);
        this.fail(profile, entry, attached.failure, attempt);
        return;
      }
      live.tunnel = attached.tunnel;
      dataPlane = 'tunnel';
    }
    entry.retries = 0;
    this.set(profile.id, entry, connectedState(profile, outcome.info, attempt, this.clock.now(), dataPlane));
    this.tick(profile.id, entry, live);
  }

  private onClosed(profile: Profile, entry: Entry, live: Live, f: SessionFailure | null): void {
    if (entry.live !== live) return;
    const attempt = live.log.info.attempt;
    const wasConnected = entry.state.state === 'connected';
    this.retire(entry);
    if (live.stopping || f === null) {
      if (entry.state.state !== 'disconnecting') this.set(profile.id, entry, { state: 'disconnected' });
      return;
    }
    void live.tunnel?.detach().catch(() => {});
    const reconnecting = entry.state.state === 'reconnecting' || entry.retries > 0;
    const policy = profile.reconnect;
    const mayRetry = policy.enabled && isRetryable(f) && (wasConnected || reconnecting) && entry.retries < (policy.maxAttempts ?? 10);
    if (mayRetry) {
      entry.retries++;
      const delay = reconnectDelayMs(entry.retries);
      const gen = entry.generation;
      this.set(profile.id, entry, { state: 'reconnecting', retry: entry.retries, retryAt: this.clock.now() + delay, failure: failureView(f) });
      entry.retryTimer = this.clock.after(delay, () => {
        if (gen !== entry.generation) return;
        void this.start(profile.id, entry, gen, {}).then((r) => {
          if (!r.ok && gen === entry.generation) this.set(profile.id, entry, { state: 'error', failure: { phase: 'tcp', code: 'cancelled', message: r.error.message } });
        });
      });
      return;
    }
    this.fail(profile, entry, f, attempt);
  }

  private fail(profile: Profile, entry: Entry, f: SessionFailure, attempt: number): void {
    entry.retries = 0;
    if (f.code === 'cancelled') {
      this.set(profile.id, entry, { state: 'disconnected' });
      return;
    }
    if (f.code === 'certificate-pin-mismatch' && f.certificate) {
      const expected = profile.tls.pinnedSha256 ? displayFingerprint(profile.tls.pinnedSha256) : '';
      this.set(profile.id, entry, { state: 'pin-mismatch', failure: failureView(f), expected, certificate: f.certificate, attempt });
    } else {
      this.set(profile.id, entry, { state: 'error', failure: failureView(f), attempt });
    }
    this.promptForCertificate(profile, f, entry.transientPassword);
  }

  private promptForCertificate(profile: Profile, f: SessionFailure, password: string | undefined): void {
    if (!f.certificate) return;
    if (f.code !== 'certificate-untrusted' && f.code !== 'certificate-pin-mismatch') return;
    const changed = f.code === 'certificate-pin-mismatch';
    const prompt = this.prompts.open({
      profileId: profile.id,
      profileName: profile.name,
      kind: changed ? 'changed' : 'unknown',
      certificate: f.certificate,
      message: f.message,
      ...(changed && profile.tls.pinnedSha256 ? { expected: displayFingerprint(profile.tls.pinnedSha256) } : {}),
      ...(password !== undefined ? { password } : {}),
    });
    this.emit({ type: 'trust-prompt', prompt });
  }

  private tick(profileId: string, entry: Entry, live: Live): void {
    let mark = live.counter.mark;
    const every = this.deps.counterIntervalMs ?? 1000;
    const loop = () => {
      live.ticker = this.clock.after(every, () => {
        if (entry.live !== live) return;
        if (live.counter.mark !== mark) {
          mark = live.counter.mark;
          this.pushCounters(profileId, entry);
        }
        loop();
      });
    };
    loop();
  }

  private pushCounters(profileId: string, entry: Entry): void {
    const s = entry.state;
    const live = entry.live;
    if (s.state !== 'connected' || !live) return;
    this.set(profileId, entry, { ...s, bytesIn: live.counter.bytesIn, bytesOut: live.counter.bytesOut });
  }

  private retire(entry: Entry): void {
    const live = entry.live;
    if (!live) return;
    live.ticker?.cancel();
    live.counter.dispose();
    live.log.close();
    entry.live = undefined;
  }

  private forwardLog(profileId: string, log: ConnectionLog): () => void {
    const attempt = log.info.attempt;
    return log.subscribe((entry) => this.emit({ type: 'log', line: { profileId, attempt, entry } }));
  }

  private entry(profileId: string): Entry {
    let e = this.entries.get(profileId);
    if (!e) {
      e = { state: { state: 'disconnected' }, retries: 0, generation: 0 };
      this.entries.set(profileId, e);
    }
    return e;
  }

  private set(profileId: string, entry: Entry, state: ConnectionState): void {
    entry.state = state;
    this.emit({ type: 'snapshot', snapshot: { profileId, ...state } });
  }

  private emit(e: ConnectionServiceEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // One broken subscriber must not stop the others or the state machine.
      }
    }
  }
}

function connectedState(profile: Profile, info: TunnelInfo, attempt: number, since: number, dataPlane: 'tunnel' | 'session'): ConnectionState {
  return {
    state: 'connected',
    attempt,
    addresses: { ipv4: info.ipv4.local, peer: info.ipv4.peer, ipv6: false },
    dns: info.ipv4.dns,
    server: { host: profile.server.host, port: profile.server.port },
    tls: tlsView(info.tls),
    since,
    bytesIn: 0,
    bytesOut: 0,
    dataPlane,
  };
}
