// How to start the privileged helper: one LaunchSpec per platform, picked here.
import { linuxHelperLaunch, type LinuxLaunchOptions } from './launch-linux.js';

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the environment (pkexec clears it anyway). */
  readonly env?: Readonly<Record<string, string>>;
  /** Started through pkexec: exit 126/127 before answering means the user said no. */
  readonly viaPolkit: boolean;
}

export type HelperLaunchOptions = LinuxLaunchOptions;

export function helperLaunch(options: HelperLaunchOptions = {}): LaunchSpec {
  switch (process.platform) {
    case 'linux':
      return linuxHelperLaunch(options);
    default:
      throw new Error(`no privileged helper for ${process.platform} yet`);
  }
}
