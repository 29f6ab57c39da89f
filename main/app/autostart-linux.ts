// Start at login on Linux. Electron's setLoginItemSettings only works on macOS and Windows, so here it
// is the XDG autostart entry: ~/.config/autostart/causeway.desktop, started with --hidden (tray only).
// No electron import: unit-tested under plain Node.
import { readFile, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { writeFileAtomic } from '../services/profiles/atomic-write.js';

export interface AutostartOptions {
  /** $XDG_CONFIG_HOME, or ~/.config. */
  readonly configHome: string;
  /** What to start: the AppImage when running from one ($APPIMAGE), else the executable. */
  readonly exec: string;
}

export interface Autostart {
  get(): Promise<boolean>;
  set(enabled: boolean): Promise<void>;
}

export function defaultAutostartOptions(
  env: NodeJS.ProcessEnv = process.env,
  execPath: string = process.execPath,
): AutostartOptions {
  const xdg = env['XDG_CONFIG_HOME'];
  return { configHome: xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), exec: env['APPIMAGE'] || execPath };
}

export function linuxAutostart(opts: AutostartOptions): Autostart {
  const file = join(opts.configHome, 'autostart', 'causeway.desktop');
  return {
    async get() {
      const text = await readFile(file, 'utf8').catch(() => null);
      // The spec lets a user (or another tool) switch an entry off with Hidden=true without deleting it.
      return text !== null && !/^Hidden\s*=\s*true\s*$/m.test(text);
    },
    async set(enabled) {
      if (!enabled)
        return void (await unlink(file).catch((e: NodeJS.ErrnoException) =>
          e.code === 'ENOENT' ? undefined : Promise.reject(e),
        ));
      await writeFileAtomic(file, autostartEntry(opts.exec), { mode: 0o644 });
    },
  };
}

export function autostartEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Causeway',
    'Comment=SSTP VPN manager (started at login, in the tray)',
    `Exec=${quoteExecArg(exec)} --hidden`,
    'Icon=causeway',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Desktop Entry spec: quote an argument with reserved characters; inside quotes escape " ` $ \. */
export function quoteExecArg(arg: string): string {
  if (!/[\s"'\\><~|&;$*?#()`%]/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1').replace(/%/g, '%%')}"`;
}
