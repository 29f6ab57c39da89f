// How to start the privileged helper: one LaunchSpec per platform, picked here.
import { linuxHelperLaunch, type LinuxLaunchOptions } from './launch-linux.js';
import type { LaunchSpec } from './launch-spec.js';

// Callers keep importing the spec from here, beside the function that makes one.
export type { LaunchSpec } from './launch-spec.js';

export type HelperLaunchOptions = LinuxLaunchOptions;

export function helperLaunch(options: HelperLaunchOptions = {}): LaunchSpec {
  switch (process.platform) {
    case 'linux':
      return linuxHelperLaunch(options);
    default:
      throw new Error(`no privileged helper for ${process.platform} yet`);
  }
}
