// The one BrowserWindow, hardened in one place: sandboxed renderer, isolated context, no Node, a strict
// CSP on every response, and no navigation, new windows, permissions or webviews.
import { BrowserWindow, session } from 'electron';
import { APP_CSP } from './csp.js';
import { isAllowedNavigation } from './sender.js';

export interface WindowOptions {
  readonly pageUrl: string; // file:// URL of renderer/dist/index.html
  readonly preload: string; // absolute path of the CommonJS preload
  readonly icon?: string;
  /** Packaged builds open no inspector, whatever the keyboard says. */
  readonly devTools: boolean;
}

export function hardenSession(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
  });
}

export function createWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 420,
    minHeight: 360,
    show: false,
    title: 'Causeway',
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: {
      preload: opts.preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: opts.devTools,
    },
  });
  const wc = win.webContents;
  wc.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, opts.pageUrl)) e.preventDefault();
  });
  wc.on('will-redirect', (e) => e.preventDefault());
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.pageUrl);
  return win;
}
