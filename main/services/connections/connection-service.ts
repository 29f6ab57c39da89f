// Connection state per profile, owned here and pushed as snapshots. One connection at a time per profile:
// profile + keychain + trust → SessionConfig → the engine's Tunnel (reconnect, backoff and the data
// plane live there; see LiveConnection), each session attempt logged to its own file. Untrusted
// certificates become trust prompts; a changed pin is its own loud state.
import type { Clock } from '../../engine/clock.js';
import { systemClock } from '../../engine/clock.js';
import type { TunnelState } from '../../engine/datapath/tunnel.js';
import type { SessionFailure } from '../../engine/failure.js';
import { pingOnce } from '../../engine/packet/ping.js';
import { diagnose, type DiagnoseOptions } from '../doctor/diagnose.js';
import { testResultOf, type ProfileDiagnosis } from '../doctor/test-result.js';
import type { ConnectionSnapshot, ConnectionState, TrustPrompt } from '../../contract/model.js';
import type {
  ConnectResult,
  PingResult,
  StartError,
  TestConnectionResult,
  TrustAcceptResult,
} from '../../contract/results.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { ConnectionLog } from '../logs/connection-log.js';
import type { ConnectionLogs } from '../logs/connection-logs.js';
import type { Profile } from '../../contract/profile.js';
import type { ProfileStore } from '../profiles/store.js';
import { LiveConnection, type TunnelWatcher } from './live-connection.js';
import { newEntry, retire, tickCounters, type Entry } from './profile-entry.js';
import { claim } from './entry-claims.js';
import type { DataPlaneProvider, SessionFactory, SystemPlaneLease } from './ports.js';
import type { SystemProxyLookup } from './session-config.js';
import { setUpAttempt, type AttemptSetupOptions } from './attempt-setup.js';
import { openCertificatePrompt, pinFor } from './certificate-prompts.js';
import type { LastServerStore } from './last-server.js';
import { setUpFailover } from './server-failover.js';
import { TrustPrompts } from './trust-prompts.js';
import { OtpFlow, OtpPrompts } from './one-time-prompts.js';
import { betweenState, connectedState, failedState, type ConnectionServiceEvent } from './service-events.js';
import { killSwitchView } from '../kill-switch/kill-switch-view.js';

export type { ConnectionServiceEvent };

export interface ConnectionServiceDeps {
  readonly store: ProfileStore;
  readonly credentials: CredentialStore;
  readonly logs: ConnectionLogs;
  readonly createSession: SessionFactory;
  /** The system data plane (helper, TUN, routes, DNS); without it tunnels are session-only. */
  readonly dataPlane?: DataPlaneProvider;
  readonly clock?: Clock;
  /** Jitter source for the tunnel's reconnect backoff (tests pin it). */
  readonly random?: () => number;
  /** How often moving byte counters are pushed. */
  readonly counterIntervalMs?: number;
  /** Sleep/resume, clock jumps and route changes for each tunnel (services/system); none when absent. */
  readonly watchTunnel?: TunnelWatcher;
  /** For profiles with systemProxy: GNOME's settings by default. */
  readonly systemProxy?: SystemProxyLookup;
  /** The server of each profile's list that last connected (tried first next time); none remembered when absent. */
  readonly lastServers?: LastServerStore;
}

export class ConnectionService {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(e: ConnectionServiceEvent) => void>();
  private readonly prompts = new TrustPrompts();
  /** One-time codes the connections wait for (profiles with `otp`). */
  readonly otp = new OtpPrompts({
    opened: (prompt) => this.emit({ type: 'otp-prompt', prompt }),
    resolved: (promptId) => this.emit({ type: 'otp-resolved', promptId }),
  });
  private readonly clock: Clock;

  constructor(private readonly deps: ConnectionServiceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  subscribe(listener: (e: ConnectionServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  snapshot(profileId: string): ConnectionSnapshot {
    const e = this.entries.get(profileId);
    const state = e?.state ?? { state: 'disconnected' };
    return { profileId, ...state, ...killSwitchView(e?.killSwitch, state) };
  }

  snapshots(): ConnectionSnapshot[] {
    return [...this.entries.keys()].map((id) => this.snapshot(id));
  }

  pendingPrompts(): TrustPrompt[] {
    return this.prompts.list();
  }

  /** The attempt whose log is being written for this profile, if any. */
  liveAttempt(profileId: string): number | null {
    const live = this.entries.get(profileId)?.live;
    return live && !live.stopping ? live.attempt : null;
  }

  /** Starts a connection; its progress and outcome arrive as snapshots. */
  async connect(profileId: string, opts: { password?: string; remember?: boolean } = {}): Promise<ConnectResult> {
    const entry = this.entry(profileId);
    if (entry.live && !entry.live.stopping) return { ok: true };
    const gen = ++entry.generation;
    // The previous tunnel (ended or being stopped) releases its helper before a new one starts.
    if (entry.live) await entry.live.done;
    if (gen !== entry.generation) return { ok: true };
    const started = await this.start(profileId, entry, gen, opts);
    // Not started after all (refused, failed, overtaken): nothing held, the claim goes.
    if (!entry.live) entry.claim = undefined;
    if (!started.ok) return { ok: false, error: started.error };
    return { ok: true };
  }

  async disconnect(profileId: string): Promise<void> {
    const entry = this.entries.get(profileId);
    if (!entry) return;
    entry.generation++;
    entry.transientPassword = undefined;
    for (const id of this.prompts.forProfile(profileId)) this.dismissPrompt(id);
    for (const id of this.otp.forProfile(profileId)) this.otp.dismiss(id);
    const live = entry.live;
    if (live && !live.stopping) {
      this.set(profileId, entry, { state: 'disconnecting' });
      await live.stop();
    } else if (live) {
      await live.done;
    }
    if (entry.live === live) retire(entry);
    this.set(profileId, entry, { state: 'disconnected' });
  }

  /** Disconnects everything (quit). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.disconnect(id)));
  }

  /** One full attempt outside the profile's connection state: the shared diagnosis, as the Test button shows it. */
  async test(profileId: string, opts: { password?: string } = {}): Promise<TestConnectionResult> {
    const r = await this.diagnoseProfile(profileId, { ...opts, mtu: false });
    return r.ok ? testResultOf(r.diagnosis, r.attempt) : { ok: false, error: r.error };
  }

  /**
   * The doctor (and the test) for a profile: one attempt through services/doctor/diagnose.ts, the same
   * routine `causeway test` and `causeway doctor` run, logged as an attempt of the profile. Returns the
   * user name and secrets of the run too, so a saved report can be redacted by value.
   */
  async diagnoseProfile(
    profileId: string,
    opts: { password?: string; mtu: DiagnoseOptions['mtu'] },
  ): Promise<ProfileDiagnosis> {
    const prepared = await this.prepare(profileId, { ...opts, oneTimeCode: true });
    if (!prepared.ok) return { ok: false, error: prepared.error };
    const { profile, config, log, secrets } = prepared;
    const attempt = log.info.attempt;
    const stopTail = this.forwardLog(profileId, log);
    try {
      const diagnosis = await diagnose(
        config,
        { createSession: this.deps.createSession, clock: this.clock, log: log.sink },
        { mtu: opts.mtu, oneTimeCode: !!profile.otp },
      );
      if (diagnosis.failure) this.promptForCertificate(profile, diagnosis.failure, opts.password);
      return { ok: true, diagnosis, attempt, username: config.credentials.username, secrets };
    } finally {
      stopTail();
      log.close();
    }
  }

  /** An ICMP echo to the server's tunnel address: proves the data path and moves the counters. */
  async ping(profileId: string): Promise<PingResult> {
    const entry = this.entries.get(profileId);
    const s = entry?.state;
    const port = entry?.live?.ownPort();
    if (!entry || !port || s?.state !== 'connected')
      return { ok: false, error: { kind: 'not-connected', message: 'The profile is not connected.' } };
    const target = s.addresses.peer ?? s.dns[0];
    if (!target) return { ok: false, error: { kind: 'no-reply', message: 'The server announced no address to ping.' } };
    const r = await pingOnce(port, this.clock, s.addresses.ipv4, target, 3000);
    this.pushCounters(profileId, entry);
    return r.ok
      ? { ok: true, rttMs: r.rttMs, from: r.from }
      : { ok: false, error: { kind: 'no-reply', message: r.reason } };
  }

  /** "Trust this certificate for this profile": pin it, then connect again. */
  async acceptPrompt(promptId: string): Promise<TrustAcceptResult> {
    const pending = this.prompts.take(promptId);
    if (!pending)
      return { ok: false, error: { kind: 'expired', message: 'This certificate question is no longer open.' } };
    this.emit({ type: 'trust-resolved', promptId });
    const { profileId } = pending.prompt;
    const pinned = await this.deps.store.update(profileId, pinFor(pending.prompt));
    if (!pinned.ok) return { ok: false, error: { kind: 'store', message: pinned.error.message } };
    return this.connect(profileId, pending.password !== undefined ? { password: pending.password } : {});
  }

  dismissPrompt(promptId: string): void {
    if (this.prompts.take(promptId)) this.emit({ type: 'trust-resolved', promptId });
  }

  // --------------------------------------------------------------------------------------------

  private prepare(profileId: string, opts: AttemptSetupOptions) {
    const { store, credentials, logs, systemProxy } = this.deps;
    const deps = { store, credentials, logs, clock: this.clock, otp: this.otp };
    return setUpAttempt(systemProxy ? { ...deps, systemProxy } : deps, profileId, opts);
  }

  private async start(
    profileId: string,
    entry: Entry,
    gen: number,
    opts: { password?: string; remember?: boolean },
  ): Promise<{ ok: true } | { ok: false; error: StartError }> {
    const password = opts.password ?? entry.transientPassword;
    const prepared = await this.prepare(profileId, { ...opts, ...(password !== undefined ? { password } : {}) });
    if (!prepared.ok) return prepared;
    const { profile, secrets, log, remembered } = prepared;
    if (gen !== entry.generation) {
      log.close();
      return { ok: true };
    }
    // Beside the other connected profiles (side-by-side.ts): refused before any helper starts.
    const refused = claim(this.entries, entry, profile, this.deps.dataPlane);
    if (refused) {
      log.sink({ time: this.clock.now(), level: 'warn', phase: 'tcp', message: `not started: ${refused.message}` });
      log.close();
      return { ok: false, error: refused };
    }
    entry.transientPassword = remembered ? undefined : password;
    const attempt = log.info.attempt;
    this.set(profileId, entry, { state: 'connecting', phase: 'tcp', attempt });
    let config = prepared.config;
    const flow = profile.otp ? new OtpFlow(this.otp, profile, profile.otp.mode) : undefined;
    if (flow) {
      const code = await flow.code(1);
      if (code === null || gen !== entry.generation) {
        log.close();
        if (gen === entry.generation) this.set(profileId, entry, { state: 'disconnected' });
        return { ok: true };
      }
      config = flow.config(prepared.config, code);
    }
    let plane: SystemPlaneLease | undefined;
    if (this.deps.dataPlane) {
      // May wait for a polkit password: the state already says "connecting".
      const acquired = await this.deps.dataPlane.acquire({ profile, config, log: log.sink });
      if (!acquired.ok || gen !== entry.generation) {
        if (acquired.ok) await acquired.plane.release().catch(() => {});
        log.close();
        if (!acquired.ok && gen === entry.generation) this.fail(profile, entry, acquired.failure, attempt);
        return { ok: true };
      }
      plane = acquired.plane;
      if (plane.killSwitch) entry.killSwitch = plane.killSwitch;
      else delete entry.killSwitch;
    }
    // Alternate servers: tried in turn, the last good one first (server-failover.ts).
    const failover = await setUpFailover({
      profile,
      config,
      ...(plane ? { plane } : {}),
      create: this.deps.createSession,
      ...(this.deps.lastServers ? { lastServers: this.deps.lastServers } : {}),
      log: log.sink,
      now: () => this.clock.now(),
    });
    const live: LiveConnection = new LiveConnection({
      profile,
      config,
      ...(flow ? { renewConfig: flow.renew(prepared.config) } : {}),
      secrets,
      firstLog: log,
      logs: this.deps.logs,
      createSession: failover.createSession,
      ...(failover.protect.length > 0 ? { alsoProtect: failover.protect } : {}),
      ...(plane ? { plane } : {}),
      clock: this.clock,
      ...(this.deps.random ? { random: this.deps.random } : {}),
      ...(this.deps.watchTunnel ? { watch: this.deps.watchTunnel } : {}),
      events: {
        attempt: (n) => {
          const s = entry.state;
          if (entry.live !== live || (s.state === 'connecting' && s.attempt === n)) return;
          this.set(profileId, entry, { state: 'connecting', phase: 'tcp', attempt: n });
        },
        phase: (phase, n) => {
          if (entry.live === live && entry.state.state === 'connecting')
            this.set(profileId, entry, { state: 'connecting', phase, attempt: n });
        },
        authPending: (deadline, waitMs, n) => {
          if (entry.live === live && entry.state.state === 'connecting')
            this.set(profileId, entry, {
              state: 'connecting',
              phase: 'auth',
              attempt: n,
              authWait: { deadline, waitMs },
            });
        },
        log: (line, n) => this.emit({ type: 'log', line: { profileId, attempt: n, entry: line } }),
        tunnel: (s) => this.onTunnel(profile, entry, live, s),
      },
    });
    entry.live = live;
    void live.done.then(() => {
      if (entry.live === live) retire(entry);
    });
    live.start();
    return { ok: true };
  }

  private onTunnel(profile: Profile, entry: Entry, live: LiveConnection, s: TunnelState): void {
    if (entry.live !== live) return;
    switch (s.state) {
      case 'connecting':
        return; // the attempt and phase events say more
      case 'connected': {
        const since =
          entry.state.state === 'checking' && entry.upSince !== undefined ? entry.upSince : this.clock.now();
        entry.upSince = since;
        this.set(profile.id, entry, connectedState(profile, s, live.attempt, since, live.counter));
        if (!entry.ticker) {
          const every = this.deps.counterIntervalMs ?? 1000;
          const current = () => entry.live === live;
          entry.ticker = tickCounters(this.clock, every, live.counter, current, () =>
            this.pushCounters(profile.id, entry),
          );
        }
        return;
      }
      case 'checking':
      case 'waiting-for-network':
      case 'reconnecting':
        if (live.stopping) return;
        this.set(profile.id, entry, betweenState(s, live.attempt, this.clock.now()));
        return;
      case 'disconnected': {
        const stopping = live.stopping;
        // Over for good: a new connect waits for `ended` (helper released), then starts afresh.
        live.stopping = true;
        entry.ticker?.cancel();
        entry.ticker = undefined;
        if (stopping || s.reason === null) {
          if (entry.state.state !== 'disconnecting') this.set(profile.id, entry, { state: 'disconnected' });
          return;
        }
        this.fail(profile, entry, s.reason, live.attempt);
        return;
      }
    }
  }

  /** A connection ended without being asked to (a user's stop never gets here): show why. */
  private fail(profile: Profile, entry: Entry, f: SessionFailure, attempt: number): void {
    this.set(profile.id, entry, failedState(profile, f, attempt));
    this.promptForCertificate(profile, f, entry.transientPassword);
  }

  private promptForCertificate(profile: Profile, f: SessionFailure, password: string | undefined): void {
    const prompt = openCertificatePrompt(this.prompts, profile, f, password);
    if (prompt) this.emit({ type: 'trust-prompt', prompt });
  }

  private pushCounters(profileId: string, entry: Entry): void {
    const s = entry.state;
    const live = entry.live;
    if (s.state !== 'connected' || !live) return;
    this.set(profileId, entry, { ...s, bytesIn: live.counter.bytesIn, bytesOut: live.counter.bytesOut });
  }

  private forwardLog(profileId: string, log: ConnectionLog): () => void {
    const attempt = log.info.attempt;
    return log.subscribe((entry) => this.emit({ type: 'log', line: { profileId, attempt, entry } }));
  }

  private entry(profileId: string): Entry {
    let e = this.entries.get(profileId);
    if (!e) this.entries.set(profileId, (e = newEntry()));
    return e;
  }

  private set(profileId: string, entry: Entry, state: ConnectionState): void {
    entry.state = state;
    this.emit({ type: 'snapshot', snapshot: { profileId, ...state, ...killSwitchView(entry.killSwitch, state) } });
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
