// TunDevice over native/tun: attach to a TUN descriptor that the privileged helper opened and handed
// over (SCM_RIGHTS). This process never opens /dev/net/tun, so its mode does not matter here.
import { tunAddon, type TunAddon, type TunHandle } from './native-addon.js';
import { SSTP_PPP_HEADROOM, type PacketBatch } from './packet-batch.js';
import type { TunDevice, TunError, TunOpenResult, TunOptions, TunStats } from './tun-device.js';

export interface LinuxTunOptions extends TunOptions {
  /** Path of causeway_tun.node; by default found by walking up to native/tun/build/Release. */
  readonly addonPath?: string;
  /**
   * Let the kernel hand reads over as TSO/USO super-packets, which the addon cuts back into
   * MTU-sized packets (native/tun/gso_read.c): one read per ~64 KB of a local TCP upload instead
   * of one per segment. Default true; false keeps every offload off (for comparisons).
   */
  readonly readOffload?: boolean;
}

const DEFAULT_MAX_PACKETS = 256;
const DEFAULT_MAX_BYTES = 256 * 1024;

/**
 * Takes over `fd` (closed by the device, or here when attaching fails). `offload` is not an option
 * here: IFF_VNET_HDR was decided when the helper opened the device, and the kernel says which.
 */
export function attachLinuxTun(fd: number, options: Omit<LinuxTunOptions, 'offload'> = {}): TunOpenResult {
  const loaded = tunAddon(options.addonPath);
  if (!loaded.ok) return { ok: false, error: { code: loaded.code, message: loaded.message } };
  const device = new LinuxTun(loaded.addon, options.headroom ?? SSTP_PPP_HEADROOM);
  try {
    device.attach(
      fd,
      options.maxPackets ?? DEFAULT_MAX_PACKETS,
      options.maxBytes ?? DEFAULT_MAX_BYTES,
      options.readOffload ?? true,
    );
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
  private deviceName = '';

  constructor(
    private readonly addon: TunAddon,
    readonly headroom: number,
  ) {}

  /** The kernel's name for the device behind the descriptor. */
  get name(): string {
    return this.deviceName;
  }

  attach(fd: number, maxPackets: number, maxBytes: number, readOffload: boolean): void {
    this.handle = this.addon.attach(
      fd,
      this.headroom,
      maxPackets,
      maxBytes,
      (buffer, bounds) => this.packetHandler?.({ buffer, bounds, count: bounds.length - 1, headroom: this.headroom }),
      () => this.writable(),
      (error) => this.fail(toTunError(error)),
      readOffload,
    );
    this.deviceName = this.addon.deviceName(this.handle);
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
    return this.handle === undefined ? this.finalStats : { ...ZERO_STATS, ...this.addon.stats(this.handle) };
  }

  close(): void {
    if (this.handle === undefined) return;
    const handle = this.handle;
    this.handle = undefined;
    this.writableWaiters = [];
    this.finalStats = { ...ZERO_STATS, ...this.addon.stats(handle) };
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
  rxGsoPackets: 0,
  rxGsoSegments: 0,
  rxAcksThinned: 0,
  txPackets: 0,
  txBytes: 0,
  txDropped: 0,
  txEagain: 0,
  txGsoPackets: 0,
  txGsoSegments: 0,
  txUdpGsoPackets: 0,
  txUdpGsoSegments: 0,
  txAcksThinned: 0,
};

function toTunError(e: unknown): TunError {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'EUNKNOWN';
  return { code, message: errorMessage(e) };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
