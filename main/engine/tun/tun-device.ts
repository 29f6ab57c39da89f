// The engine's only view of a TUN device. One implementation per platform (tun-linux.ts) plus an
// in-memory one for tests (tun-memory.ts); openTun() in open-tun.ts picks the platform's.
import type { PacketBatch } from './packet-batch.js';

export interface TunStats {
  readonly rxPackets: number;
  readonly rxBytes: number;
  /** Read wake-ups; rxPackets / rxWakeups is the mean batch size. */
  readonly rxWakeups: number;
  /** Packets read that could not be handed on (a malformed GSO packet or bad checksum offsets; not expected). */
  readonly rxDropped: number;
  /**
   * TSO/USO super-packets read (Linux: TUNSETOFFLOAD, native/tun/gso_read.c) and the MTU-sized
   * segments they were cut into (counted in rxPackets: the handler only ever sees plain packets).
   */
  readonly rxGsoPackets: number;
  readonly rxGsoSegments: number;
  /**
   * Pure ACKs read but not handed on because the next packet of the same read burst was a later ACK
   * of the same TCP flow (the rules of txAcksThinned); not in rxPackets.
   */
  readonly rxAcksThinned: number;
  readonly txPackets: number;
  readonly txBytes: number;
  /** Packets the kernel refused (malformed, link down, no memory): dropped, as IP allows. */
  readonly txDropped: number;
  /** Writes that hit a full device and stopped a batch early. */
  readonly txEagain: number;
  /** GSO packets written, and the TCP segments or UDP datagrams merged into them (counted in txPackets too). */
  readonly txGsoPackets: number;
  readonly txGsoSegments: number;
  /** UDP's share of txGsoPackets / txGsoSegments (runs of same-sized datagrams of one flow). */
  readonly txUdpGsoPackets: number;
  readonly txUdpGsoSegments: number;
  /**
   * Pure ACKs not written because the next packet of the same write was a later ACK of the same
   * TCP flow (native/tun/ack_thin.c); not in txPackets.
   */
  readonly txAcksThinned: number;
}

/** Why a device failed. `code` is an errno name (`ENODEV`, `EPERM`, `EBADFD`…) or `ENOADDON`. */
export interface TunError {
  readonly code: string;
  readonly message: string;
}

export type TunOpenResult =
  { readonly ok: true; readonly device: TunDevice } | { readonly ok: false; readonly error: TunError };

export interface TunOptions {
  /** Free bytes in front of every packet read (see packet-batch.ts). Default SSTP_PPP_HEADROOM. */
  readonly headroom?: number;
  /** Cap per read wake-up so a busy device cannot starve the event loop. Default 256. */
  readonly maxPackets?: number;
  /** Byte cap per read wake-up (a packet may end past it). Default 256 KiB. */
  readonly maxBytes?: number;
  /**
   * Merge runs of in-order TCP segments (and of same-sized UDP datagrams) of one flow into GSO packets on write (Linux: IFF_VNET_HDR,
   * asked of the helper when it opens the device: its open-tun verb). Default true; the device falls
   * back to plain packets when the system refuses it.
   */
  readonly offload?: boolean;
}

export interface TunDevice {
  readonly name: string;
  /** Headroom of every batch this device delivers. */
  readonly headroom: number;
  /** Whether write() currently merges TCP segments into GSO packets (see TunOptions.offload). */
  readonly gso: boolean;
  /** The device's current MTU (asked of the system each call: cache it per phase). */
  mtu(): number;
  /**
   * Sets the one batch handler and starts reading. Batches arrive from the event loop, never
   * re-entrantly from write(). The batch is the handler's to keep and to modify.
   */
  onPackets(handler: (batch: PacketBatch) => void): void;
  /** The device failed (e.g. deleted underneath us). Reading has stopped; close() it. */
  onError(handler: (error: TunError) => void): void;
  /** Stops delivering batches (TLS is backed up); the kernel queues, then drops, meanwhile. */
  pause(): void;
  resume(): void;
  /**
   * Writes IP packets (no headroom) from `start`. Returns the index after the last one consumed,
   * written or dropped by the kernel. Less than packets.length means the device is full: call
   * onWritable() and write the rest from that index when it fires. Never throws for a full device.
   */
  write(packets: readonly Uint8Array[], start?: number): number;
  /** One-shot: `cb` runs once the device accepts writes again. */
  onWritable(cb: () => void): void;
  stats(): TunStats;
  /** Detaches; the (persistent) device itself stays until the helper removes it. Idempotent. */
  close(): void;
  readonly closed: boolean;
}
