// The test build of native/tun (binding.gyp's causeway_tun_test target): the product API plus
// coalesce(), which shows the write gso.c plans for a list of packets, and segmentRead(), what a
// read becomes (gso_read.c), no device involved. The
// product addon (main/engine/tun/native-addon.ts) does not have it; only tests load this one.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TunAddon } from '../../../../main/engine/tun/native-addon.js';

/** One write as native/tun/gso.c plans it: the virtio_net_hdr fields and the IP packet after it. */
export interface CoalescedWrite {
  /** Input packets this write stands for; 1 = the first packet as is, behind a zeroed header. */
  readonly consumed: number;
  /** write() leaves this packet out: a pure ACK the next one supersedes (native/tun/ack_thin.c). */
  readonly thinned: boolean;
  readonly packet: Buffer;
  readonly flags: number;
  readonly gsoType: number;
  readonly hdrLen: number;
  readonly gsoSize: number;
  readonly csumStart: number;
  readonly csumOffset: number;
}

/** The virtio_net_hdr fields a TUN read came with. */
export interface ReadVnet {
  readonly flags: number;
  readonly gsoType: number;
  readonly gsoSize: number;
  readonly csumStart: number;
  readonly csumOffset: number;
}

export interface TunTestAddon extends TunAddon {
  /** What write() would hand the kernel next for packets[start…] (native/tun/test_addon.c). */
  coalesce(packets: readonly Uint8Array[], start: number): CoalescedWrite;
  /**
   * What read.c hands JS for one packet read behind `vnet` (native/tun/gso_read.c): a batch laid out
   * as packet-batch.ts describes, or null when the packet is dropped.
   */
  segmentRead(
    packet: Uint8Array,
    vnet: ReadVnet,
    mtu: number,
    headroom: number,
  ): { buffer: Buffer; bounds: Uint32Array } | null;
}

/**
 * Built next to the product addon by `npm run build:native`; never staged or shipped.
 * CAUSEWAY_TUN_TEST_ADDON names another build (a private copy of native/tun being worked on).
 */
export const TEST_ADDON_PATH =
  process.env['CAUSEWAY_TUN_TEST_ADDON'] ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../../native/tun/build/Release/causeway_tun_test.node');

/**
 * The test addon, or undefined where it cannot exist (not Linux, not built). Loaded with its own
 * require, not native-addon.ts's loader, so it never becomes the addon that loader caches.
 */
export function loadTestAddon(): TunTestAddon | undefined {
  if (process.platform !== 'linux' || !existsSync(TEST_ADDON_PATH)) return undefined;
  return createRequire(import.meta.url)(TEST_ADDON_PATH) as TunTestAddon;
}
