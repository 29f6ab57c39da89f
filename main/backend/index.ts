// The host-neutral backend: every contract channel bound once to the real services, and the events
// main pushes. Electron IPC (main/app) and the browser test host both serve exactly this.
import type { EventMessage } from '../contract/events.js';
import { createDispatcher, type Dispatch, type DispatchOptions, type Handlers } from '../contract/handlers.js';
import type { Channel } from '../contract/channels.js';
import type { CredentialStore } from '../services/credentials/credential-store.js';
import type { ConnectionLogs } from '../services/logs/connection-logs.js';
import type { ProfileStore } from '../services/profiles/store.js';
import type { ConnectionService } from '../services/connections/connection-service.js';
import { connectionHandlers } from './connection-handlers.js';
import type { BackendContext } from './context.js';
import type { HostCapabilities } from './host.js';
import { importHandlers } from './import-handlers.js';
import { logHandlers } from './log-handlers.js';
import { doctorHandlers } from '../services/doctor/handlers.js';
import { listProfileViews, profileHandlers } from './profile-handlers.js';
import { killSwitchHandlers } from '../services/kill-switch/kill-switch-handlers.js';
import type { AppMetrics } from '../services/metrics/app-metrics.js';
import type { LoggingSetting } from '../services/logs/logging-setting.js';

export type { HostCapabilities } from './host.js';

export interface BackendDeps {
  readonly store: ProfileStore;
  readonly credentials: CredentialStore;
  readonly logs: ConnectionLogs;
  readonly connections: ConnectionService;
  readonly host: HostCapabilities;
  readonly caDir?: string;
  /** Preferences → metrics; absent: the host cannot serve them. */
  readonly metrics?: AppMetrics;
  /** Preferences → verbose connection logs (the same object ConnectionLogs asks); absent: not offered. */
  readonly logging?: LoggingSetting;
  /** Preferences → kill switch: <config>/kill-switch.json; absent: not offered. */
  readonly killSwitchFile?: string;
}

export interface MainBackend {
  readonly handlers: Handlers;
  /** Events for every window / socket. */
  subscribe(listener: (m: EventMessage) => void): () => void;
  dispatcher<S>(opts: DispatchOptions<S>): Dispatch<S>;
  /** Quit: disconnect everything, stop pushing. */
  shutdown(): Promise<void>;
}

export function createBackend(deps: BackendDeps): MainBackend {
  const listeners = new Set<(m: EventMessage) => void>();
  const emit = (m: EventMessage) => {
    for (const l of listeners) l(m);
  };
  const ctx: BackendContext = {
    ...deps,
    profilesChanged: () => {
      void listProfileViews(ctx).then((r) => {
        if (r.ok) emit({ event: 'profiles', data: r.profiles });
      });
    },
  };
  const stopConnections = deps.connections.subscribe((e) => {
    switch (e.type) {
      case 'snapshot':
        return emit({ event: 'connection', data: e.snapshot });
      case 'log':
        return emit({ event: 'log', data: e.line });
      case 'trust-prompt':
        return emit({ event: 'trust.prompt', data: e.prompt });
      case 'trust-resolved':
        return emit({ event: 'trust.resolved', data: { promptId: e.promptId } });
      case 'otp-prompt':
        return emit({ event: 'otp.prompt', data: e.prompt });
      case 'otp-resolved':
        return emit({ event: 'otp.resolved', data: { promptId: e.promptId } });
    }
  });
  const { host } = deps;
  const handlers: Handlers = {
    'app.info': async () => ({
      version: host.version,
      host: host.kind,
      platform: host.platform,
      autostart: host.autostart ? await host.autostart.get() : null,
    }),
    'settings.get': async () => ({ ok: true, autostart: host.autostart ? await host.autostart.get() : null }),
    'settings.setAutostart': async ({ enabled }) => {
      if (!host.autostart)
        return { ok: false, error: { kind: 'unsupported', message: 'Starting at login is not available here.' } };
      await host.autostart.set(enabled);
      // Read back: the answer is what the host now does, not what was asked.
      return { ok: true, autostart: await host.autostart.get() };
    },
    'settings.metrics': async () =>
      deps.metrics
        ? { ok: true, ...deps.metrics.get() }
        : { ok: false, error: { kind: 'unavailable', message: 'Metrics are not available here.' } },
    'settings.setMetrics': async ({ enabled, listen }) => {
      if (!deps.metrics)
        return { ok: false, error: { kind: 'unavailable', message: 'Metrics are not available here.' } };
      const r = await deps.metrics.set(enabled, listen);
      return r.ok ? { ok: true, ...r.setting } : { ok: false, error: { kind: 'invalid', message: r.message } };
    },
    'settings.logging': async () =>
      deps.logging
        ? { ok: true, verbose: deps.logging.verbose, warning: deps.logging.warning }
        : { ok: false, error: { kind: 'unavailable', message: 'The logging setting is not available here.' } },
    'settings.setLogging': async ({ verbose }) => {
      if (!deps.logging)
        return { ok: false, error: { kind: 'unavailable', message: 'The logging setting is not available here.' } };
      const r = await deps.logging.set(verbose);
      return r.ok
        ? { ok: true, verbose: r.verbose, warning: null }
        : { ok: false, error: { kind: 'save', message: r.message } };
    },
    ...profileHandlers(ctx),
    ...killSwitchHandlers(deps.killSwitchFile),
    ...importHandlers(ctx),
    ...connectionHandlers(ctx),
    ...logHandlers(ctx),
    ...doctorHandlers(ctx),
  };
  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    dispatcher: <S>(opts: DispatchOptions<S>) => createDispatcher<S>(handlers, opts),
    async shutdown() {
      await deps.connections.shutdown();
      await deps.metrics?.shutdown();
      stopConnections();
      listeners.clear();
    },
  };
}

export type { Channel };
