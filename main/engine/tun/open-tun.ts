// The one place that picks the platform's TunDevice.
import type { TunOpenResult } from './tun-device.js';
import { openLinuxTun, type LinuxTunOptions } from './tun-linux.js';

export type OpenTunOptions = LinuxTunOptions;

/** Attaches to an existing TUN device (created for this user by the privileged helper). */
export function openTun(name: string, options: OpenTunOptions = {}): TunOpenResult {
  switch (process.platform) {
    case 'linux':
      return openLinuxTun(name, options);
    default:
      return { ok: false, error: { code: 'ENOTSUP', message: `no TUN support on ${process.platform} yet` } };
  }
}
