// The browser host on the real services, in the data home it is given (the user's XDG home from
// main.ts; a temp dir from the e2e fixtures).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialStore } from '../services/credentials/credential-store.js';
import type { ServicePaths } from '../services/paths.js';
import { composeBackend } from '../services/connections/compose.js';
import { helperDataPlane } from '../services/connections/helper-data-plane.js';
import { killSwitchFile, loadKillSwitchSetting } from '../services/kill-switch/kill-switch-setting.js';
import type { MainBackend } from '../backend/index.js';
import { startBrowserHost, type BrowserHost } from './server.js';
import { storedAutostart } from './stored-autostart.js';

export interface RunningHost extends BrowserHost {
  readonly backend: MainBackend;
  readonly exportsDir: string;
}

export interface HostOptions {
  readonly paths: ServicePaths;
  /** No save dialog in a browser tab: exports land here. */
  readonly exportsDir: string;
  /** The built renderer (renderer/dist). */
  readonly rendererDir: string;
  readonly credentials: CredentialStore;
  readonly version: string;
  readonly port?: number;
  readonly log?: (m: string) => void;
  /** 'system': real tunnels through the privileged helper (root, or polkit). Default: session-only. */
  readonly dataPlane?: 'system' | 'none';
}

export async function startHostOnServices(opts: HostOptions): Promise<RunningHost> {
  const { paths, exportsDir } = opts;
  await mkdir(exportsDir, { recursive: true, mode: 0o700 });
  const { backend } = composeBackend({
    paths,
    credentials: opts.credentials,
    // Preferences' kill switch read at each connection, as the Electron app does (main/app/index.ts):
    // it applies to the tunnel, and side-by-side.ts refuses a second tunnel beside it.
    ...(opts.dataPlane === 'system'
      ? {
          dataPlane: helperDataPlane({
            killSwitch: () => loadKillSwitchSetting(killSwitchFile(paths.configDir)).setting,
          }),
        }
      : {}),
    host: {
      kind: 'browser',
      version: opts.version,
      platform: process.platform,
      chooseExportPath: async (name) => join(exportsDir, name),
      autostart: storedAutostart(paths.configDir),
    },
  });
  let host: BrowserHost;
  try {
    host = await startBrowserHost({
      backend,
      rendererDir: opts.rendererDir,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
  } catch (e) {
    await backend.shutdown();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    ...host,
    backend,
    exportsDir,
    // Tunnels first (they release the helper, which undoes routes and DNS), then the sockets.
    close() {
      closing ??= backend.shutdown().then(() => host.close());
      return closing;
    },
  };
}
