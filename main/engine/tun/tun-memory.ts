// An in-memory TunDevice for tests (the idea of wireguard-go's tun/tuntest): no kernel, no root.
// `kernel` plays the operating system's side; createMemoryTunPair() wires two devices back to back
// so two engines can exchange packets.
import { SSTP_PPP_HEADROOM, makeBatch, type PacketBatch } from './packet-batch.js';
import type { TunDevice, TunError, TunOptions, TunStats } from './tun-device.js';

export interface MemoryTunOptions extends TunOptions {
  readonly name?: string;
  readonly mtu?: number;
  /** Packets the "kernel" queues while the device is paused before dropping (a TUN's txqueuelen). */
  readonly queueLimit?: number;
}

/** The operating system's side of a memory TUN. */
export interface MemoryTunKernel {
  /** Packets routed into the TUN: delivered to the device in batches, like the real one. */
  inject(packets: readonly Uint8Array[]): void;
  /** Copies of every packet the device wrote, in order. */
  readonly written: Buffer[];
  onWrite(cb: (packet: Buffer) => void): void;
  /** Accept only n more written packets, then report the device full; Infinity makes it writable again. */
  setWriteCapacity(n: number): void;
  setMtu(mtu: number): void;
  /** Make the device fail, as when the real one is deleted underneath the engine. */
  fail(error: TunError): void;
  /** Injected packets dropped because the device was paused and the queue was full. */
  readonly dropped: number;
}

export function createMemoryTun(options: MemoryTunOptions = {}): { device: TunDevice; kernel: MemoryTunKernel } {
  const tun = new MemoryTun(options);
  return { device: tun, kernel: tun.kernel };
}

/** Two devices back to back: what one writes, the other reads. */
export function createMemoryTunPair(a: MemoryTunOptions = {}, b: MemoryTunOptions = {}): [TunDevice, TunDevice] {
  const left = createMemoryTun({ name: 'mem0', ...a });
  const right = createMemoryTun({ name: 'mem1', ...b });
  left.kernel.onWrite((p) => right.kernel.inject([p]));
  right.kernel.onWrite((p) => left.kernel.inject([p]));
  return [left.device, right.device];
}

class MemoryTun implements TunDevice {
  readonly name: string;
  readonly headroom: number;
  /** No kernel to merge for: packets are recorded one by one, exactly as written. */
  readonly gso = false;
  readonly kernel: MemoryTunKernel;
  private mtuValue: number;
  private readonly maxPackets: number;
  private readonly maxBytes: number;
  private readonly queueLimit: number;
  private queue: Uint8Array[] = [];
  private packetHandler: ((batch: PacketBatch) => void) | undefined;
  private errorHandler: ((error: TunError) => void) | undefined;
  private failed: TunError | undefined;
  private paused = false;
  private scheduled = false;
  private isClosed = false;
  private capacity = Infinity;
  private writableWaiters: (() => void)[] = [];
  private writeListeners: ((packet: Buffer) => void)[] = [];
  private readonly written: Buffer[] = [];
  private dropped = 0;
  private counters = {
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

  constructor(options: MemoryTunOptions) {
    this.name = options.name ?? 'mem0';
    this.headroom = options.headroom ?? SSTP_PPP_HEADROOM;
    this.mtuValue = options.mtu ?? 1500;
    this.maxPackets = options.maxPackets ?? 256;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
    this.queueLimit = options.queueLimit ?? 500;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the kernel side is a view of this device
    const self = this;
    this.kernel = {
      inject: (packets) => self.inject(packets),
      get written() {
        return self.written;
      },
      onWrite: (cb) => void self.writeListeners.push(cb),
      setWriteCapacity: (n) => self.setCapacity(n),
      setMtu: (mtu) => void (self.mtuValue = mtu),
      fail: (error) => self.fail(error),
      get dropped() {
        return self.dropped;
      },
    };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  mtu(): number {
    if (this.isClosed) throw new Error(`TUN ${this.name} is closed`);
    return this.mtuValue;
  }

  onPackets(handler: (batch: PacketBatch) => void): void {
    this.packetHandler = handler;
    this.schedule();
  }

  onError(handler: (error: TunError) => void): void {
    this.errorHandler = handler;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  write(packets: readonly Uint8Array[], start = 0): number {
    if (this.isClosed || this.failed !== undefined) return packets.length;
    let i = start;
    for (; i < packets.length; i++) {
      if (this.capacity <= 0) {
        this.counters.txEagain++;
        break;
      }
      this.capacity--;
      const copy = Buffer.from(packets[i] ?? new Uint8Array(0));
      this.counters.txPackets++;
      this.counters.txBytes += copy.length;
      this.written.push(copy);
      for (const cb of this.writeListeners) cb(copy);
    }
    return i;
  }

  onWritable(cb: () => void): void {
    if (this.isClosed) return;
    this.writableWaiters.push(cb);
    if (this.capacity > 0) this.flushWritable();
  }

  stats(): TunStats {
    return { ...this.counters };
  }

  close(): void {
    this.isClosed = true;
    this.queue = [];
    this.writableWaiters = [];
  }

  private inject(packets: readonly Uint8Array[]): void {
    if (this.isClosed) return;
    for (const p of packets) {
      if (this.queue.length >= this.queueLimit) this.dropped++;
      else this.queue.push(Buffer.from(p));
    }
    this.schedule();
  }

  private setCapacity(n: number): void {
    this.capacity = n;
    if (n > 0) this.flushWritable();
  }

  private flushWritable(): void {
    setImmediate(() => {
      if (this.isClosed || this.capacity <= 0) return;
      const waiters = this.writableWaiters;
      this.writableWaiters = [];
      for (const cb of waiters) cb();
    });
  }

  private reading(): boolean {
    return !this.isClosed && !this.paused && this.failed === undefined && this.packetHandler !== undefined;
  }

  // Delivery is always from the event loop, like the addon's uv_poll wake-ups.
  private schedule(): void {
    if (this.scheduled || !this.reading() || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.reading()) return;
      let n = 0;
      let bytes = 0;
      while (n < this.queue.length && n < this.maxPackets && bytes < this.maxBytes) {
        bytes += this.headroom + (this.queue[n]?.length ?? 0);
        n++;
      }
      const taken = this.queue.splice(0, n);
      this.counters.rxWakeups++;
      this.counters.rxPackets += taken.length;
      this.counters.rxBytes += bytes - taken.length * this.headroom;
      this.packetHandler?.(makeBatch(taken, this.headroom));
      this.schedule();
    });
  }

  private fail(error: TunError): void {
    if (this.failed !== undefined || this.isClosed) return;
    this.failed = error;
    this.errorHandler?.(error);
  }
}
