// Where Causeway keeps its files: one data home for the app, the CLI and the browser host (XDG config
// and state dirs on Linux), resolved from the environment it is given, so nothing here imports electron.
// What older app versions kept in Electron's userData is moved here once (profiles/migrate-user-data.ts).
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export interface ServicePaths {
  /** Profiles and imported certificates. */
  readonly configDir: string;
  readonly profilesFile: string;
  /** CA certificates imported for profiles. */
  readonly caDir: string;
  /** Per-profile connection logs: <logsDir>/<profile-id>/<timestamp>-<attempt>.jsonl */
  readonly logsDir: string;
}

export interface PathEnvironment {
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly home?: string;
}

const APP = 'causeway';

// The XDG spec says relative values are invalid and must be ignored.
function xdg(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v && isAbsolute(v) ? v : undefined;
}

export function defaultConfigDir({
  env = process.env,
  platform = process.platform,
  home = homedir(),
}: PathEnvironment = {}): string {
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Causeway');
    case 'win32':
      return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Causeway');
    default:
      return join(xdg(env, 'XDG_CONFIG_HOME') ?? join(home, '.config'), APP);
  }
}

export function defaultStateDir({
  env = process.env,
  platform = process.platform,
  home = homedir(),
}: PathEnvironment = {}): string {
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Logs', 'Causeway');
    case 'win32':
      return join(env['LOCALAPPDATA'] ?? join(home, 'AppData', 'Local'), 'Causeway');
    default:
      return join(xdg(env, 'XDG_STATE_HOME') ?? join(home, '.local', 'state'), APP);
  }
}

/** configDir/stateDir override the platform defaults (tests and fixtures pass throwaway folders). */
export function resolvePaths(opts: { configDir?: string; stateDir?: string } & PathEnvironment = {}): ServicePaths {
  const configDir = opts.configDir ?? defaultConfigDir(opts);
  const stateDir = opts.stateDir ?? defaultStateDir(opts);
  return {
    configDir,
    profilesFile: join(configDir, 'profiles.json'),
    caDir: join(configDir, 'ca'),
    logsDir: join(stateDir, 'logs'),
  };
}
