// Finds and loads native/tun (the N-API addon) from one fixed place, never by searching: the
// packaged app's resources, next to a bundle (the root helper, the shipped CLI), or the build tree
// in development. A file someone else could have written is refused, since the helper loads it as root.
// The loader is its own file so tun-linux.ts can be type-checked and unit-tested where the addon was never built.
import { existsSync, lstatSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const tunHandleBrand: unique symbol;
/** The addon's opaque per-device handle. */
export type TunHandle = { readonly [tunHandleBrand]: true };

/**
 * The addon's exports, as native/tun/exports.c defines them. The test build of the addon
 * (causeway_tun_test.node) adds a test hook, typed where the tests load it (test/unit/engine/tun/test-addon.ts).
 */
export interface TunAddon {
  /**
   * Takes over `fd`, an attached TUN descriptor the helper handed over (closed by close(), and by a
   * failed attach). Name and IFF_VNET_HDR are asked of the kernel, not taken from the sender. With
   * IFF_VNET_HDR, readOffload (default true) turns the device's TSO/USO offloads on, so reads come
   * as super-packets that the addon cuts back into MTU-sized packets before onRead sees them.
   */
  attach(
    fd: number,
    headroom: number,
    maxPackets: number,
    maxBytes: number,
    onRead: (buffer: Buffer, bounds: Uint32Array) => void,
    onWritable: () => void,
    onError: (error: Error) => void,
    readOffload?: boolean,
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
    /** Absent from an addon built before UDP merging and ACK thinning (tun-linux.ts reads 0). */
    txUdpGsoPackets?: number;
    txUdpGsoSegments?: number;
    txAcksThinned?: number;
    /** Absent from an addon built before read offloads (tun-linux.ts reads 0). */
    rxGsoPackets?: number;
    rxGsoSegments?: number;
    rxAcksThinned?: number;
  };
  close(handle: TunHandle): void;
  readonly MAX_PACKET: number;
}

/** The addon's file name inside a bundle layout (resources/native/ when packaged, dist/native/ in the build tree). */
export const ADDON_FILE = 'causeway_tun.node';
/** Written into resources/ by electron-builder (extraResources): its presence says "this is the installed layout". */
export const PACKAGED_MARKER = 'causeway-packaged';

// esbuild's `define` sets this in the helper and CLI bundles (scripts/packaging/bundle.mjs); it is
// undeclared when the engine runs from source or from tsc's output.
declare const __CAUSEWAY_BUNDLE__: boolean | undefined;

/** Where this copy of the engine runs from; each has exactly one addon path. */
export type AddonLayout =
  /** The Electron app as installed: `<resources>/native/causeway_tun.node`. */
  | { readonly kind: 'packaged'; readonly resourcesPath: string }
  /** A bundle (dist/helper/causeway-helper.cjs, resources/cli/…): `<bundle dir>/../native/causeway_tun.node`. */
  | { readonly kind: 'bundle'; readonly bundleFile: string }
  /** main/engine/tun/*.ts (tsx) or dist/main/engine/tun/*.js: `<checkout>/native/tun/build/Release/…`. */
  | { readonly kind: 'build-tree'; readonly moduleFile: string };

export interface LayoutFacts {
  readonly moduleFile: string;
  readonly bundled: boolean;
  /** Electron's process.resourcesPath, when there is one. */
  readonly resourcesPath?: string;
  readonly exists: (path: string) => boolean;
}

/** The running process's facts. */
export function currentLayoutFacts(): LayoutFacts {
  const resourcesPath = (process as { resourcesPath?: unknown }).resourcesPath;
  return {
    moduleFile: fileURLToPath(import.meta.url),
    bundled: typeof __CAUSEWAY_BUNDLE__ !== 'undefined' && __CAUSEWAY_BUNDLE__ === true,
    ...(typeof resourcesPath === 'string' ? { resourcesPath } : {}),
    exists: existsSync,
  };
}

/**
 * Electron sets resourcesPath in development too (its own dist/resources): only our marker there
 * makes it the installed layout. A bundle comes next, since plain Node has no resourcesPath.
 */
export function addonLayout(facts: LayoutFacts): AddonLayout {
  if (facts.resourcesPath !== undefined && facts.exists(join(facts.resourcesPath, PACKAGED_MARKER))) {
    return { kind: 'packaged', resourcesPath: facts.resourcesPath };
  }
  if (facts.bundled) return { kind: 'bundle', bundleFile: facts.moduleFile };
  return { kind: 'build-tree', moduleFile: facts.moduleFile };
}

export function addonPathFor(layout: AddonLayout): string {
  switch (layout.kind) {
    case 'packaged':
      return join(layout.resourcesPath, 'native', ADDON_FILE);
    case 'bundle':
      return resolve(dirname(layout.bundleFile), '..', 'native', ADDON_FILE);
    case 'build-tree': {
      // tsx runs main/engine/tun/x.ts (3 levels below the checkout); tsc's copy is dist/main/engine/tun/x.js (4).
      const up = layout.moduleFile.endsWith('.ts') ? ['..', '..', '..'] : ['..', '..', '..', '..'];
      return resolve(dirname(layout.moduleFile), ...up, 'native', 'tun', 'build', 'Release', ADDON_FILE);
    }
  }
}

export type TrustFailure =
  | { readonly reason: 'missing'; readonly path: string }
  | { readonly reason: 'not-a-file'; readonly path: string }
  | { readonly reason: 'owner'; readonly path: string; readonly uid: number }
  | { readonly reason: 'writable'; readonly path: string; readonly mode: number };

export type TrustResult = { readonly ok: true } | { readonly ok: false; readonly failure: TrustFailure };

export interface TrustOptions {
  /** Owners allowed besides root: the running uid (a developer's checkout). */
  readonly uid: number;
  readonly lstat?: (path: string) => Stats;
}

const S_IWGRP = 0o020;
const S_IWOTH = 0o002;
const S_ISVTX = 0o1000;

/**
 * Whether only root or `uid` could have put this file here: the file (no symlink) and every
 * directory up to / are owned by one of them and writable by no group or other. A sticky
 * world-writable directory (/tmp) is let through, because there nobody may rename or delete an
 * entry they do not own, and the entry below it is checked for its owner like the rest.
 */
export function checkTrustedFile(path: string, options: TrustOptions): TrustResult {
  const lstat = options.lstat ?? lstatSync;
  const absolute = resolve(path);
  let st: Stats;
  try {
    st = lstat(absolute);
  } catch {
    return { ok: false, failure: { reason: 'missing', path: absolute } };
  }
  if (!st.isFile()) return { ok: false, failure: { reason: 'not-a-file', path: absolute } };
  const own = ownAndMode(absolute, st, options.uid, false);
  if (own !== undefined) return { ok: false, failure: own };
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    let d: Stats;
    try {
      d = lstat(dir);
    } catch {
      return { ok: false, failure: { reason: 'missing', path: dir } };
    }
    // A symlinked directory could be re-pointed by its owner: treat it like a file that is not one.
    if (!d.isDirectory()) return { ok: false, failure: { reason: 'not-a-file', path: dir } };
    const bad = ownAndMode(dir, d, options.uid, true);
    if (bad !== undefined) return { ok: false, failure: bad };
    if (dirname(dir) === dir) return { ok: true };
  }
}

function ownAndMode(path: string, st: Stats, uid: number, isDir: boolean): TrustFailure | undefined {
  if (st.uid !== 0 && st.uid !== uid) return { reason: 'owner', path, uid: st.uid };
  const writable = (st.mode & (S_IWGRP | S_IWOTH)) !== 0;
  const sticky = isDir && (st.mode & S_ISVTX) !== 0;
  if (writable && !sticky) return { reason: 'writable', path, mode: st.mode & 0o7777 };
  return undefined;
}

export function describeTrustFailure(f: TrustFailure): string {
  switch (f.reason) {
    case 'missing':
      return `${f.path} does not exist`;
    case 'not-a-file':
      return `${f.path} is not a plain file or directory (a symlink?)`;
    case 'owner':
      return `${f.path} belongs to uid ${f.uid}, not root or this user`;
    case 'writable':
      return `${f.path} is writable by its group or others (mode ${f.mode.toString(8)})`;
  }
}

/** The addon's path for this process's layout, if the file is there (not checked for trust). */
export function findTunAddon(explicit?: string): string | undefined {
  const path = explicit ?? addonPathFor(addonLayout(currentLayoutFacts()));
  return existsSync(path) ? path : undefined;
}

let cached: { path: string; addon: TunAddon } | undefined;

export type TunAddonResult =
  | { readonly ok: true; readonly addon: TunAddon }
  /** ENOADDON: not built or not loadable; EUNTRUSTED: there, but someone else could have written it. */
  | { readonly ok: false; readonly code: 'ENOADDON' | 'EUNTRUSTED'; readonly message: string };

/** Finds and loads the addon, as a value: a missing or broken build is an expected failure. */
export function tunAddon(explicit?: string): TunAddonResult {
  // Once loaded, the default needs no second look at the disk: a process that dropped privileges
  // after loading it may no longer see the tree it came from.
  if (explicit === undefined && cached !== undefined) return { ok: true, addon: cached.addon };
  const path = explicit ?? addonPathFor(addonLayout(currentLayoutFacts()));
  if (!existsSync(path)) return { ok: false, code: 'ENOADDON', message: `${path} is missing (npm run build:native)` };
  const trust = checkTrustedFile(path, { uid: process.getuid?.() ?? 0 });
  if (!trust.ok)
    return {
      ok: false,
      code: 'EUNTRUSTED',
      message: `refusing to load ${path}: ${describeTrustFailure(trust.failure)}`,
    };
  try {
    return { ok: true, addon: loadTunAddon(path) };
  } catch (e) {
    return {
      ok: false,
      code: 'ENOADDON',
      message: `cannot load ${path}: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

export function loadTunAddon(path: string): TunAddon {
  if (cached?.path === path) return cached.addon;
  const addon = createRequire(import.meta.url)(path) as TunAddon;
  cached = { path, addon };
  return addon;
}
