// Electron lifecycle: one instance, one hardened window, the tray, notifications, and the backend on
// the real services in the data home the CLI and the browser host share (XDG config/state dirs; files an
// older version kept in Electron's userData are moved there once). Quitting disconnects every tunnel first.
import { app, Notification, type BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConnectionSnapshot } from '../contract/model.js';
import { composeBackend } from '../services/connections/compose.js';
import { helperDataPlane } from '../services/connections/helper-data-plane.js';
import { killSwitchFile, loadKillSwitchSetting } from '../services/kill-switch/kill-switch-setting.js';
import { KeyringCredentialStore } from '../services/credentials/keyring-store.js';
import { resolvePaths } from '../services/paths.js';
import { migrateUserData } from '../services/profiles/migrate-user-data.js';
import { defaultAutostartOptions, linuxAutostart } from './autostart-linux.js';
import { exportDialog } from './export-dialog.js';
import { bindIpc } from './ipc.js';
import { NotificationController, notificationFor } from './notifications.js';
import { AppTray } from './tray.js';
import { trayModel } from './tray-model.js';
import { installAppMenu } from './menu.js';
import { createWindow, hardenSession } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/main/app → project root (unpacked) or app.asar root (packaged).
const ROOT = join(here, '..', '..', '..');
const PAGE_URL = pathToFileURL(join(ROOT, 'renderer', 'dist', 'index.html')).href;
const PRELOAD = join(here, 'preload.cjs');
const ICONS = app.isPackaged ? join(process.resourcesPath, 'icons') : join(ROOT, 'resources', 'icons');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession();
  installAppMenu(app.isPackaged);
  const paths = resolvePaths({ env: process.env });
  const migrated = await migrateUserData(app.getPath('userData'), paths).catch((e: unknown) => {
    console.error(`[data] could not move the old app data into ${paths.configDir}: ${String(e)}`);
    return undefined;
  });
  if (migrated?.unreadable) console.error(`[data] left in place, could not be read: ${migrated.unreadable}`);
  if (migrated && migrated.profiles.length + migrated.logFiles > 0)
    console.error(
      `[data] moved ${migrated.profiles.length} profile(s) and ${migrated.logFiles} log file(s) into ${paths.configDir}`,
    );
  const { backend, connections, store } = composeBackend({
    paths,
    credentials: new KeyringCredentialStore(),
    // Real tunnels: the privileged helper, through polkit unless we are root, per connection.
    dataPlane: helperDataPlane({ killSwitch: () => loadKillSwitchSetting(killSwitchFile(paths.configDir)).setting }),
    host: {
      kind: 'electron',
      version: app.getVersion(),
      platform: process.platform,
      chooseExportPath: (name) => exportDialog(win, name),
      // Electron's login items are macOS/Windows only; Linux desktops read XDG autostart entries.
      autostart:
        process.platform === 'linux'
          ? linuxAutostart(defaultAutostartOptions())
          : {
              get: () => app.getLoginItemSettings().openAtLogin,
              set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] }),
            },
    },
  });

  let win: BrowserWindow | undefined;
  const open = () => {
    if (!win || win.isDestroyed())
      win = createWindow({
        pageUrl: PAGE_URL,
        preload: PRELOAD,
        icon: join(ICONS, 'causeway.png'),
        devTools: !app.isPackaged,
      });
    else {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  };
  bindIpc(
    backend,
    () => win,
    PAGE_URL,
    (m) => console.error(`[ipc] ${m}`),
  );

  let quitting = false;
  const quit = async () => {
    if (quitting) return;
    quitting = true;
    await backend.shutdown();
    tray.destroy();
    app.exit(0);
  };
  const tray = new AppTray(ICONS, {
    connect: (id) => void connections.connect(id).then((r) => (r.ok ? undefined : open())),
    disconnect: (id) => void connections.disconnect(id),
    open,
    quit: () => void quit(),
  });

  const names = new Map<string, string>();
  const last = new Map<string, ConnectionSnapshot>();
  const notifier = new NotificationController(
    (n) => new Notification({ title: n.title, body: n.body, urgency: n.critical ? 'critical' : 'normal' }).show(),
    () => !!win && !win.isDestroyed() && win.isFocused(),
  );
  const refreshTray = () =>
    tray.render(
      trayModel(
        [...names].map(([id, name]) => ({ id, name })),
        last,
      ),
    );
  const loadProfiles = async () => {
    const all = await store.list();
    if (!all.ok) return;
    names.clear();
    for (const p of all.value) names.set(p.id, p.name);
    refreshTray();
    return all.value;
  };
  backend.subscribe((m) => {
    if (m.event === 'profiles') void loadProfiles();
    if (m.event !== 'connection') return;
    const prev = last.get(m.data.profileId);
    last.set(m.data.profileId, m.data);
    if (prev?.state !== m.data.state) {
      notifier.offer(notificationFor(prev, m.data, names.get(m.data.profileId) ?? 'VPN'));
      refreshTray();
    }
  });

  const profiles = await loadProfiles();
  for (const p of profiles ?? []) if (p.autoConnect) void connections.connect(p.id);
  app.on('second-instance', open);
  app.on('window-all-closed', () => {
    // Closing the window leaves the tunnels and the tray; Quit is in the tray menu.
  });
  app.on('before-quit', (e) => {
    if (quitting) return;
    e.preventDefault();
    void quit();
  });
  if (!process.argv.includes('--hidden')) open();
}
