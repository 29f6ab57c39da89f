// TunDevice over native/tun: attach to a persistent TUN that the helper created for our uid.
import { findTunAddon, loadTunAddon, type TunAddon, type TunHandle } from './native-addon.js';
import { SSTP_PPP_HEADROOM, type PacketBatch } from './packet-batch.js';
import type { TunDevice, TunError, TunOpenResult, TunOptions, TunStats } from './tun-device.js';

export interface LinuxTunOptions extends TunOptions {
  /** Path of causeway_tun.node; by default found by walking up to native/tun/build/Release. */
  readonly addonPath?: string;
}

const DEFAULT_MAX_PACKETS = 256;
const DEFAULT_MAX_BYTES = 256 * 1024;

export function openLinuxTun(name: string, options: LinuxTunOptions = {}): TunOpenResult {
  const path = findTunAddon(options.addonPath);
  if (path === undefined) {
    return { ok: false, error: { code: 'ENOADDON', message: 'native/tun is not built (npm run build:native)' } };
  }
  let addon: TunAddon;
  try {
    addon = loadTunAddon(path);
  } catch (e) {
    return { ok: false, error: { code: 'ENOADDON', message: `cannot load ${path}: ${errorMessage(e)}` } };
  }
  const device = new LinuxTun(addon, name, options.headroom ?? SSTP_PPP_HEADROOM);
  try {
    device.attach(options.maxPackets ?? DEFAULT_MAX_PACKETS, options.maxBytes ?? DEFAULT_MAX_BYTES, options.offload ?? true);
  } catch (e) {
    return { ok: false, error: toTunError(e) };
  }
  return { ok: true, device };
}

class LinuxTun implements TunDevice {
  private handle: TunHandle | undefined;
  private packetHandler: ((batch: PacketBatch) => void) | undefined;
  private errorHandler: ((error: TunError) => void) | undefined;
  private writableWaiters: (() => void)[] = [];
  private paused = false;
  private failed: TunError | undefined;
  private finalStats: TunStats = ZERO_STATS;

  constructor(
    private readonly addon: TunAddon,
    readonly name: string,
    readonly headroom: number,
  ) {}

  attach(maxPackets: number, maxBytes: number, offload: boolean): void {
    this.handle = this.addon.open(
      this.name,
      this.headroom,
      maxPackets,
      maxBytes,
      (buffer, bounds) => this.packetHandler?.({ buffer, bounds, count: bounds.length - 1, headroom: this.headroom }),
      () => this.writable(),
      (error) => this.fail(toTunError(error)),
      offload,
    );
  }

  get closed(): boolean {
    return this.handle === undefined;
  }

  get gso(): boolean {
    return this.handle !== undefined && this.addon.gso(this.handle);
  }

  mtu(): number {
    if (this.handle === undefined) throw new Error(`TUN ${this.name} is closed`);
    return this.addon.mtu(this.handle);
  }

  onPackets(handler: (batch: PacketBatch) => void): void {
    this.packetHandler = handler;
    this.syncReading();
  }

  onError(handler: (error: TunError) => void): void {
    this.errorHandler = handler;
    if (this.failed !== undefined) {
      const error = this.failed;
      queueMicrotask(() => handler(error));
    }
  }

  pause(): void {
    this.paused = true;
    this.syncReading();
  }

  resume(): void {
    this.paused = false;
    this.syncReading();
  }

  write(packets: readonly Uint8Array[], start = 0): number {
    if (this.handle === undefined || this.failed !== undefined) return packets.length;
    try {
      return this.addon.write(this.handle, packets, start);
    } catch (e) {
      // The device is gone: report it once, from outside this call, and swallow the rest.
      const error = toTunError(e);
      queueMicrotask(() => this.fail(error));
      return packets.length;
    }
  }

  onWritable(cb: () => void): void {
    if (this.handle === undefined) return;
    this.writableWaiters.push(cb);
    if (this.writableWaiters.length === 1) this.addon.wantWritable(this.handle);
  }

  stats(): TunStats {
    return this.handle === undefined ? this.finalStats : this.addon.stats(this.handle);
  }

  close(): void {
    if (this.handle === undefined) return;
    const handle = this.handle;
    this.handle = undefined;
    this.writableWaiters = [];
    this.finalStats = this.addon.stats(handle);
    this.addon.close(handle);
  }

  private syncReading(): void {
    if (this.handle === undefined || this.failed !== undefined) return;
    this.addon.setReading(this.handle, this.packetHandler !== undefined && !this.paused);
  }

  private writable(): void {
    const waiters = this.writableWaiters;
    this.writableWaiters = [];
    for (const cb of waiters) cb();
  }

  private fail(error: TunError): void {
    if (this.failed !== undefined || this.handle === undefined) return;
    this.failed = error;
    this.errorHandler?.(error);
  }
}

const ZERO_STATS: TunStats = {
  rxPackets: 0,
  rxBytes: 0,
  rxWakeups: 0,
  rxDropped: 0,
  txPackets: 0,
  txBytes: 0,
  txDropped: 0,
  txEagain: 0,
  txGsoPackets: 0,
  txGsoSegments: 0,
};

function toTunError(e: unknown): TunError {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'EUNKNOWN';
  return { code, message: errorMessage(e) };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
