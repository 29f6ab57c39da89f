// Linux: run the helper directly when we are root already (CI, CLI under sudo), else through pkexec
// with the polkit action in resources/polkit/ (which names INSTALLED_HELPER as its only program).
// pkexec keeps stdin, stdout and stderr but marks every other inherited descriptor close-on-exec
// (polkit's pkexec.c, before it execs the program), and INSTALLED_HELPER is a shell script that
// `exec`s node: so the socket that carries the TUN's descriptor back must be the helper's stdin,
// never an extra fd 3 (HelperClient.start makes it; tun-channel.ts checks its maker).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonLayout, currentLayoutFacts, type AddonLayout } from '../../engine/tun/native-addon.js';
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
  const entry = directHelperCommand(addonLayout(currentLayoutFacts()), {
    execPath: process.execPath,
    electron: process.versions.electron !== undefined,
  });
  const [command, ...args] = [...(options.wrap ?? []), entry.command, ...entry.args];
  return { command: command ?? entry.command, args, ...(entry.env ? { env: entry.env } : {}), viaPolkit: false };
}

export interface HelperCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * How a process that is root already starts the helper, by where this copy of Causeway runs from
 * (the same layouts as the TUN addon's resolver):
 * - packaged: the bundled helper on the runtime shipped beside it (`<resources>/node/node`) — the
 *   packaged Electron cannot act as node, its RunAsNode fuse is off;
 * - bundle (the shipped CLI, or dist/cli in a checkout): the helper bundle beside it, on this node;
 * - build tree: main.js next to this file (or main.ts through tsx), on this node (Electron's binary
 *   only when told to act as node).
 */
export function directHelperCommand(
  layout: AddonLayout,
  self: { readonly execPath: string; readonly electron: boolean },
): HelperCommand {
  switch (layout.kind) {
    case 'packaged':
      return {
        command: join(layout.resourcesPath, 'node', 'node'),
        args: [join(layout.resourcesPath, 'helper', HELPER_BUNDLE)],
      };
    case 'bundle':
      return { command: self.execPath, args: [resolve(dirname(layout.bundleFile), '..', 'helper', HELPER_BUNDLE)] };
    case 'build-tree':
      return {
        command: self.execPath,
        args: helperEntryArgs(),
        ...(self.electron ? { env: { ELECTRON_RUN_AS_NODE: '1' } } : {}),
      };
  }
}

/** The helper as one script (scripts/packaging/bundle.mjs), in dist/helper/ and <resources>/helper/. */
export const HELPER_BUNDLE = 'causeway-helper.cjs';

/** The helper's entry in ../root/: compiled main.js, or main.ts through tsx when running from source. */
function helperEntryArgs(): string[] {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (here.endsWith('.ts')) return ['--import', import.meta.resolve('tsx'), join(dir, '..', 'root', 'main.ts')];
  const js = join(dir, '..', 'root', 'main.js');
  if (!existsSync(js)) throw new Error(`helper entry ${js} is missing (npm run build)`);
  return [js];
}
