// The real services and engine wired into one backend: used by the Electron app and the browser host.
import { SstpSession } from '../../engine/session.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { ConnectionLogs } from '../logs/connection-logs.js';
import type { ServicePaths } from '../paths.js';
import { ProfileStore } from '../profiles/store.js';
import { createBackend, type Backend, type HostCapabilities } from './backend/index.js';
import { ConnectionService } from './connection-service.js';
import type { DataPlaneProvider } from './ports.js';

export interface ComposeOptions {
  readonly paths: ServicePaths;
  readonly credentials: CredentialStore;
  readonly host: HostCapabilities;
  /** The system data plane (helperDataPlane() in the app); without it tunnels are session-only. */
  readonly dataPlane?: DataPlaneProvider;
}

export interface Composed {
  readonly backend: Backend;
  readonly connections: ConnectionService;
  readonly store: ProfileStore;
}

export function composeBackend(opts: ComposeOptions): Composed {
  const store = new ProfileStore(opts.paths.configDir);
  const logs = new ConnectionLogs(opts.paths.logsDir);
  const connections = new ConnectionService({
    store,
    credentials: opts.credentials,
    logs,
    createSession: (config, deps) => new SstpSession(config, deps),
    ...(opts.dataPlane ? { dataPlane: opts.dataPlane } : {}),
  });
  const backend = createBackend({ store, credentials: opts.credentials, logs, connections, host: opts.host, caDir: opts.paths.caDir });
  return { backend, connections, store };
}
