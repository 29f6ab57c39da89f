// The one place that picks the platform's TunDevice.
import type { TunOpenResult } from './tun-device.js';
import { attachLinuxTun, type LinuxTunOptions } from './tun-linux.js';

export type AttachTunOptions = Omit<LinuxTunOptions, 'offload'>;

/**
 * Attaches to a TUN descriptor handed over by the privileged helper (which opened the device, and
 * chose IFF_VNET_HDR then). Takes over `fd`: it is closed with the device, or here on failure.
 */
export function attachTun(fd: number, options: AttachTunOptions = {}): TunOpenResult {
  switch (process.platform) {
    case 'linux':
      return attachLinuxTun(fd, options);
    default:
      return { ok: false, error: { code: 'ENOTSUP', message: `no TUN support on ${process.platform} yet` } };
  }
}
