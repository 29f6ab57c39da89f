// Everything the handlers stand on, passed once.
import type { CredentialStore } from '../services/credentials/credential-store.js';
import type { ConnectionLogs } from '../services/logs/connection-logs.js';
import type { ProfileStore } from '../services/profiles/store.js';
import type { ConnectionService } from '../services/connections/connection-service.js';
import type { HostCapabilities } from './host.js';

export interface BackendContext {
  readonly store: ProfileStore;
  readonly credentials: CredentialStore;
  readonly logs: ConnectionLogs;
  readonly connections: ConnectionService;
  readonly host: HostCapabilities;
  /** Causeway's own CA folder (deleted with a profile). */
  readonly caDir?: string;
  /** Called after any change to the profile list, so the host can push the new list. */
  readonly profilesChanged: () => void;
}
