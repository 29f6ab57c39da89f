// Linux: run the helper directly when we are root already (CI, CLI under sudo), else through pkexec
// with the polkit action in resources/polkit/ (which names INSTALLED_HELPER as its only program).
// pkexec keeps stdin, stdout and stderr but marks every other inherited descriptor close-on-exec
// (polkit's pkexec.c, before it execs the program), and INSTALLED_HELPER is a shell script that
// `exec`s node: so the socket that carries the TUN's descriptor back must be the helper's stdin,
// never an extra fd 3 (HelperClient.start makes it; tun-channel.ts checks its maker).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaunchSpec } from './launch-spec.js';

export const INSTALLED_HELPER = '/usr/lib/causeway/causeway-helper';
export const PKEXEC = '/usr/bin/pkexec';

export interface LinuxLaunchOptions {
  /** Default: direct when this process is root. */
  readonly direct?: boolean;
  /** The pkexec target; must equal the policy's org.freedesktop.policykit.exec.path. */
  readonly installedHelper?: string;
  /** Direct mode only: a command prefix, e.g. ['ip', 'netns', 'exec', 'cwt-x'] in tests. */
  readonly wrap?: readonly string[];
}

export function linuxHelperLaunch(options: LinuxLaunchOptions = {}): LaunchSpec {
  const direct = options.direct ?? process.getuid?.() === 0;
  if (!direct) return { command: PKEXEC, args: [options.installedHelper ?? INSTALLED_HELPER], viaPolkit: true };
  const node = [process.execPath, ...helperEntryArgs()];
  const [command, ...args] = [...(options.wrap ?? []), ...node];
  return {
    command: command ?? process.execPath,
    args,
    // Electron's binary is only node when told so.
    ...(process.versions.electron === undefined ? {} : { env: { ELECTRON_RUN_AS_NODE: '1' } }),
    viaPolkit: false,
  };
}

/** The helper's entry next to this file: compiled main.js, or main.ts through tsx when running from source. */
function helperEntryArgs(): string[] {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (here.endsWith('.ts')) return ['--import', import.meta.resolve('tsx'), join(dir, 'main.ts')];
  const js = join(dir, 'main.js');
  if (!existsSync(js)) throw new Error(`helper entry ${js} is missing (npm run build)`);
  return [js];
}
