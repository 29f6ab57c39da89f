// The real services and engine wired into one backend: used by the Electron app and the browser host.
import { combineTaps } from '../../engine/diagnostics/stream-tap.js';
import { SstpSession } from '../../engine/session.js';
import { AppMetrics } from '../metrics/app-metrics.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { ConnectionLogs } from '../logs/connection-logs.js';
import { LoggingSetting } from '../logs/logging-setting.js';
import { killSwitchFile } from '../kill-switch/kill-switch-setting.js';
import type { ServicePaths } from '../paths.js';
import { join } from 'node:path';
import { ProfileStore } from '../profiles/store.js';
import { createBackend, type MainBackend, type HostCapabilities } from '../../backend/index.js';
import { ConnectionService } from './connection-service.js';
import { LastServerStore } from './last-server.js';
import type { DataPlaneProvider } from './ports.js';
import { watchTunnelLife } from '../system/tunnel-watch.js';

export interface ComposeOptions {
  readonly paths: ServicePaths;
  readonly credentials: CredentialStore;
  readonly host: HostCapabilities;
  /** The system data plane (helperDataPlane() in the app); without it tunnels are session-only. */
  readonly dataPlane?: DataPlaneProvider;
}

export interface Composed {
  readonly backend: MainBackend;
  readonly connections: ConnectionService;
  readonly store: ProfileStore;
}

export function composeBackend(opts: ComposeOptions): Composed {
  const store = new ProfileStore(opts.paths.configDir);
  // Asked at each attempt's start: Preferences → verbose logs applies from the next attempt on.
  const logging = new LoggingSetting(join(opts.paths.configDir, 'logging.json'));
  const logs = new ConnectionLogs(opts.paths.logsDir, { verbose: () => logging.verbose });
  const metrics = new AppMetrics(join(opts.paths.configDir, 'metrics.json'));
  const connections = new ConnectionService({
    store,
    credentials: opts.credentials,
    logs,
    // Each session gets its own metrics tap (bytes, keepalive round trips); cheap when metrics are off.
    createSession: (config, deps) =>
      new SstpSession(config, { ...deps, tap: combineTaps([deps.tap, metrics.sessionTap()]) }),
    ...(opts.dataPlane ? { dataPlane: opts.dataPlane } : {}),
    lastServers: new LastServerStore(join(opts.paths.configDir, 'last-servers.json')),
    watchTunnel: (tunnel, serverAddresses, log) =>
      watchTunnelLife(tunnel, {
        serverAddresses,
        log: (level, message) => log({ time: Date.now(), level, phase: 'connected', message }),
      }),
  });
  connections.subscribe((e) => {
    if (e.type === 'snapshot') metrics.onSnapshot(e.snapshot);
  });
  void metrics.start();
  const backend = createBackend({
    store,
    credentials: opts.credentials,
    logs,
    connections,
    host: opts.host,
    caDir: opts.paths.caDir,
    metrics,
    logging,
    killSwitchFile: killSwitchFile(opts.paths.configDir),
  });
  return { backend, connections, store };
}
