// The browser host on the real services, in a directory of its own.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CredentialStore } from '../../main/services/credentials/credential-store.js';
import { resolvePaths } from '../../main/services/paths.js';
import { composeBackend } from '../../main/services/connections/compose.js';
import { helperDataPlane } from '../../main/services/connections/helper-data-plane.js';
import { startBrowserHost, type BrowserHost } from './server.js';
import { storedAutostart } from './stored-autostart.js';
import type { Backend } from '../../main/services/connections/backend/index.js';

export const RENDERER_DIST = resolve(fileURLToPath(new URL('../../renderer/dist', import.meta.url)));

export interface RunningHost extends BrowserHost {
  readonly backend: Backend;
  readonly exportsDir: string;
}

export interface HostOptions {
  readonly dataDir: string;
  readonly credentials: CredentialStore;
  readonly port?: number;
  readonly log?: (m: string) => void;
  /** 'system': real tunnels through the privileged helper (root, or polkit). Default: session-only. */
  readonly dataPlane?: 'system' | 'none';
}

export async function startHostOnServices(opts: HostOptions): Promise<RunningHost> {
  const paths = resolvePaths({ configDir: join(opts.dataDir, 'config'), stateDir: join(opts.dataDir, 'state') });
  const exportsDir = join(opts.dataDir, 'exports');
  await mkdir(exportsDir, { recursive: true });
  const { backend } = composeBackend({
    paths,
    credentials: opts.credentials,
    ...(opts.dataPlane === 'system' ? { dataPlane: helperDataPlane() } : {}),
    host: {
      kind: 'browser',
      version: process.env['npm_package_version'] ?? '0.0.0',
      platform: process.platform,
      // No save dialog in a browser tab: exports land in the host's own folder.
      chooseExportPath: async (name) => join(exportsDir, name),
      autostart: storedAutostart(opts.dataDir),
    },
  });
  const host = await startBrowserHost({ backend, rendererDir: RENDERER_DIST, ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.log ? { log: opts.log } : {}) });
  return {
    ...host,
    backend,
    exportsDir,
    async close() {
      await backend.shutdown();
      await host.close();
    },
  };
}
