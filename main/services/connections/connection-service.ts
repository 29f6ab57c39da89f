// Connection state per profile, owned here and pushed as snapshots. One connection at a time per profile:
// profile + keychain + trust → SessionConfig → the engine's Tunnel (reconnect, backoff and the data
// plane live there; see LiveConnection), each session attempt logged to its own file. Untrusted
// certificates become trust prompts; a changed pin is its own loud state.
import type { Clock, TimerHandle } from '../../engine/clock.js';
import { systemClock } from '../../engine/clock.js';
import type { TunnelState } from '../../engine/datapath/tunnel.js';
import { displayFingerprint } from '../trust/certificate.js';
import type { CertificateInfo } from '../../engine/certificate-info.js';
import type { SessionFailure } from '../../engine/failure.js';
import { pingOnce } from '../../engine/packet/ping.js';
import { diagnose, type DiagnoseOptions } from '../doctor/diagnose.js';
import { withAskedCode } from '../doctor/one-time-code.js';
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
import type { DataPlaneProvider, SessionFactory, SystemPlaneLease } from './ports.js';
import { buildSessionConfig, type SystemProxyLookup } from './session-config.js';
import type { LastServerStore } from './last-server.js';
import { setUpFailover } from './server-failover.js';
import { TrustPrompts } from './trust-prompts.js';
import { OtpFlow, OtpPrompts } from './one-time-prompts.js';
import { connectedState, type ConnectionServiceEvent } from './service-events.js';
import { failureView } from './views.js';
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

interface Entry {
  state: ConnectionState;
  live?: LiveConnection;
  ticker?: TimerHandle;
  /** Bumped by every connect/disconnect intent, so a stale async step knows to give up. */
  generation: number;
  /** A password typed for this run (not remembered): reused by trust retries only. */
  transientPassword?: string;
  /** The kill switch of the data plane in use (absent: off): snapshots say when it blocks. */
  killSwitch?: 'on' | 'always';
  /** When the session shown as connected came up: a passed check (after a resume) keeps it. */
  upSince?: number;
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
    if (entry.live === live) this.retire(entry);
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
    const { profileId, certificate, target } = pending.prompt;
    const pinSha256 = certificate.sha256.replace(/:/g, '').toLowerCase();
    const pin = (p: Profile): Profile =>
      target === 'eap'
        ? { ...p, eapTrust: { ...p.eapTrust, pinnedSha256: pinSha256 } }
        : { ...p, tls: { ...p.tls, pinnedSha256: certificate.sha256 } };
    const pinned = await this.deps.store.update(profileId, pin);
    if (!pinned.ok) return { ok: false, error: { kind: 'store', message: pinned.error.message } };
    return this.connect(profileId, pending.password !== undefined ? { password: pending.password } : {});
  }

  dismissPrompt(promptId: string): void {
    if (this.prompts.take(promptId)) this.emit({ type: 'trust-resolved', promptId });
  }

  // --------------------------------------------------------------------------------------------

  private async prepare(profileId: string, opts: { password?: string; remember?: boolean; oneTimeCode?: boolean }) {
    const found = await this.deps.store.get(profileId);
    if (!found.ok) {
      const error: StartError =
        found.error.kind === 'not-found'
          ? { kind: 'not-found', message: found.error.message }
          : { kind: 'store', message: found.error.message };
      return { ok: false as const, error };
    }
    const profile = found.value;
    const unCoded = await buildSessionConfig(
      profile,
      this.deps.credentials,
      opts.password !== undefined ? { password: opts.password } : {},
      ...(this.deps.systemProxy ? [this.deps.systemProxy] : []),
    );
    const built = unCoded.ok && opts.oneTimeCode ? await withAskedCode(this.otp, profile, unCoded) : unCoded;
    if (!built.ok) return built;
    // A keychain that fails to save does not stop the connection the user asked for: the password
    // was typed, so it is used for this run and the attempt's log says it was not remembered.
    const saved =
      opts.remember && opts.password !== undefined
        ? await this.deps.credentials.set(profileId, 'password', opts.password)
        : undefined;
    const log = this.deps.logs.start(profileId, { secrets: built.secrets });
    if (!log.ok) return { ok: false as const, error: { kind: 'configuration' as const, message: log.error.message } };
    if (built.systemProxy !== undefined)
      log.value.sink({ time: this.clock.now(), level: 'info', phase: 'tcp', message: built.systemProxy });
    if (saved && !saved.ok)
      log.value.sink({
        time: this.clock.now(),
        level: 'warn',
        phase: 'auth',
        message: `The password was not remembered. ${saved.error.message}`,
      });
    return {
      ok: true as const,
      profile,
      config: built.config,
      secrets: built.secrets,
      log: log.value,
      remembered: saved?.ok === true,
    };
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
      if (entry.live === live) this.retire(entry);
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
        if (!entry.ticker) this.tick(profile.id, entry, live);
        return;
      }
      case 'checking':
        if (live.stopping) return;
        this.set(profile.id, entry, { state: 'checking', reason: s.reason, attempt: live.attempt });
        return;
      case 'waiting-for-network':
        if (live.stopping) return;
        this.set(profile.id, entry, {
          state: 'waiting-for-network',
          retry: s.attempt,
          since: this.clock.now(),
          failure: failureView(s.reason),
        });
        return;
      case 'reconnecting':
        if (live.stopping) return;
        this.set(profile.id, entry, {
          state: 'reconnecting',
          retry: s.attempt,
          retryAt: this.clock.now() + s.delayMs,
          failure: failureView(s.reason),
        });
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
    if (f.code === 'certificate-pin-mismatch' && f.certificate) {
      const expected = profile.tls.pinnedSha256 ? displayFingerprint(profile.tls.pinnedSha256) : '';
      this.set(profile.id, entry, {
        state: 'pin-mismatch',
        failure: failureView(f),
        expected,
        certificate: f.certificate,
        attempt,
      });
    } else {
      this.set(profile.id, entry, { state: 'error', failure: failureView(f), attempt });
    }
    this.promptForCertificate(profile, f, entry.transientPassword);
  }

  private promptForCertificate(profile: Profile, f: SessionFailure, password: string | undefined): void {
    if (f.eapCertificate) return this.promptForEapCertificate(profile, f.eapCertificate, f.message, password);
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

  /** The sign-in (EAP) server's own certificate: its own question, pinned into eapTrust if accepted. */
  private promptForEapCertificate(
    profile: Profile,
    certificate: CertificateInfo,
    message: string,
    password: string | undefined,
  ): void {
    const was = profile.eapTrust?.pinnedSha256;
    const expected = was !== undefined ? { expected: displayFingerprint(was) } : {};
    const kind = was !== undefined ? 'changed' : 'unknown';
    this.emit({
      type: 'trust-prompt',
      prompt: this.prompts.open({
        profileId: profile.id,
        profileName: profile.name,
        kind,
        certificate,
        message,
        target: 'eap',
        ...expected,
        ...(password !== undefined ? { password } : {}),
      }),
    });
  }

  private tick(profileId: string, entry: Entry, live: LiveConnection): void {
    let mark = live.counter.mark;
    const every = this.deps.counterIntervalMs ?? 1000;
    const loop = () => {
      entry.ticker = this.clock.after(every, () => {
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
    entry.ticker?.cancel();
    entry.ticker = undefined;
    entry.live = undefined;
  }

  private forwardLog(profileId: string, log: ConnectionLog): () => void {
    const attempt = log.info.attempt;
    return log.subscribe((entry) => this.emit({ type: 'log', line: { profileId, attempt, entry } }));
  }

  private entry(profileId: string): Entry {
    let e = this.entries.get(profileId);
    if (!e) {
      e = { state: { state: 'disconnected' }, generation: 0 };
      this.entries.set(profileId, e);
    }
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
