// Finds and loads native/tun (the N-API addon). The loader is its own file so tun-linux.ts can be
// type-checked and unit-tested on machines where the addon was never built.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const tunHandleBrand: unique symbol;
/** The addon's opaque per-device handle. */
export type TunHandle = { readonly [tunHandleBrand]: true };

/** The addon's exports, as implemented in native/tun/causeway_tun.c. */
export interface TunAddon {
  /**
   * Takes over `fd`, an attached TUN descriptor the helper handed over (closed by close(), and by a
   * failed attach). Name and IFF_VNET_HDR are asked of the kernel, not taken from the sender.
   */
  attach(
    fd: number,
    headroom: number,
    maxPackets: number,
    maxBytes: number,
    onRead: (buffer: Buffer, bounds: Uint32Array) => void,
    onWritable: () => void,
    onError: (error: Error) => void,
  ): TunHandle;
  /** The helper's half (needs /dev/net/tun): opens the existing TUN `name`; offload asks for IFF_VNET_HDR. */
  openDevice(name: string, offload?: boolean): { fd: number; vnet: boolean };
  /** A connected AF_UNIX stream pair, both ends close-on-exec. */
  socketpair(): [number, number];
  /** Sends `fd` over `socket` (SCM_RIGHTS) with a 1..15-byte tag (the interface name). */
  sendFd(socket: number, fd: number, tag: string): void;
  /** The hand-over already waiting on `socket`; throws (EAGAIN, EPROTO…) rather than block. */
  recvFd(socket: number): { fd: number; tag: string };
  /** SO_PEERCRED of a Unix socket: who holds its other end (for a socketpair, its creator). */
  peerCredentials(socket: number): { pid: number; uid: number; gid: number };
  closeFd(fd: number): void;
  setReading(handle: TunHandle, on: boolean): void;
  wantWritable(handle: TunHandle): void;
  write(handle: TunHandle, packets: readonly Uint8Array[], start: number): number;
  /** What write() would hand the kernel next for packets[start…]; for tests, no device involved. */
  coalesce(packets: readonly Uint8Array[], start: number): CoalescedWrite;
  gso(handle: TunHandle): boolean;
  deviceName(handle: TunHandle): string;
  mtu(handle: TunHandle): number;
  stats(handle: TunHandle): {
    rxPackets: number;
    rxBytes: number;
    rxWakeups: number;
    rxDropped: number;
    txPackets: number;
    txBytes: number;
    txDropped: number;
    txEagain: number;
    txGsoPackets: number;
    txGsoSegments: number;
  };
  close(handle: TunHandle): void;
  readonly MAX_PACKET: number;
}

/** One write as native/tun/gso.c plans it: the virtio_net_hdr fields and the IP packet after it. */
export interface CoalescedWrite {
  /** Input packets this write stands for; 1 = the first packet as is, behind a zeroed header. */
  readonly consumed: number;
  readonly packet: Buffer;
  readonly flags: number;
  readonly gsoType: number;
  readonly hdrLen: number;
  readonly gsoSize: number;
  readonly csumStart: number;
  readonly csumOffset: number;
}

const RELATIVE = join('native', 'tun', 'build', 'Release', 'causeway_tun.node');

/** The addon's path: the given one, else the first native/tun build found walking up from here. */
export function findTunAddon(explicit?: string): string | undefined {
  if (explicit !== undefined) return existsSync(explicit) ? explicit : undefined;
  // Works from main/engine/tun (tsx) and dist/main/engine/tun (compiled) alike.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, RELATIVE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

let cached: { path: string; addon: TunAddon } | undefined;

export type TunAddonResult = { readonly ok: true; readonly addon: TunAddon } | { readonly ok: false; readonly code: 'ENOADDON'; readonly message: string };

/** Finds and loads the addon, as a value: a missing or broken build is an expected failure. */
export function tunAddon(explicit?: string): TunAddonResult {
  // Once loaded, the default needs no second look at the disk: a process that dropped privileges
  // after loading it may no longer see the tree it came from.
  if (explicit === undefined && cached !== undefined) return { ok: true, addon: cached.addon };
  const path = findTunAddon(explicit);
  if (path === undefined) return { ok: false, code: 'ENOADDON', message: 'native/tun is not built (npm run build:native)' };
  try {
    return { ok: true, addon: loadTunAddon(path) };
  } catch (e) {
    return { ok: false, code: 'ENOADDON', message: `cannot load ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function loadTunAddon(path: string): TunAddon {
  if (cached?.path === path) return cached.addon;
  const addon = createRequire(import.meta.url)(path) as TunAddon;
  cached = { path, addon };
  return addon;
}
