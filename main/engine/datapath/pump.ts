// The data plane: TUN ⇄ SSTP. Outbound, each TUN batch gets its SSTP + PPP headers written into the
// room the TUN layer left in front of every packet, and the whole batch goes to TLS as one write.
// Inbound, the IP packets of one TLS read burst go to the TUN device in one write call (the device
// merges TCP segments there). Backpressure both ways: a full TLS buffer pauses TUN reads; a full TUN
// device pauses TLS reads. Nothing buffers without bound.
import { SSTP_MAX_PACKET_LENGTH } from '../sstp/constants.js';
import { SSTP_PPP_HEADROOM as SSTP_PPP_HEADER, type PacketBatch } from '../tun/packet-batch.js';
import type { TunDevice } from '../tun/tun-device.js';
import type { SessionDataPort } from './data-port.js';
import { writeIpFrameHeader } from './ip-frame-header.js';
import { clampMss, needsMssClamp } from './mss-clamp.js';

export interface PumpStats {
  readonly txPackets: number;
  readonly txBytes: number; // IP bytes sent into the tunnel
  readonly rxPackets: number;
  readonly rxBytes: number; // IP bytes received from the tunnel
  /** Outbound packets dropped: tunnel down (reconnecting), IPv6 not negotiated, or larger than the server's MRU. */
  readonly txDropped: number;
  readonly tlsStalls: number; // times TLS backpressure paused TUN reads
  readonly tunStalls: number; // times TUN backpressure paused TLS reads
  /** TCP SYNs whose MSS option was lowered (both directions); absent in stats from before clamping existed. */
  readonly mssClamped?: number;
}

export interface PumpOptions {
  /** Lower the MSS of TCP SYNs both ways to this (IPv4 figure; IPv6 gets 20 less). Off when absent. */
  readonly mssClamp?: number;
  /**
   * Inbound link control for the engine itself (IPv6 Router Advertisements: ipv6-link.ts): true when
   * it took the packet, which then never reaches the TUN (the kernel would configure it its own way).
   */
  readonly divert?: (packet: Buffer) => boolean;
}

export class PacketPump {
  private session: SessionDataPort | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Inbound packets the TUN could not take yet; never more than what one TLS read burst delivered. */
  private backlog: Buffer[] = [];
  private stopped = false;
  private s = {
    txPackets: 0,
    txBytes: 0,
    rxPackets: 0,
    rxBytes: 0,
    txDropped: 0,
    tlsStalls: 0,
    tunStalls: 0,
    mssClamped: 0,
  };

  constructor(
    private readonly tun: TunDevice,
    private readonly options: PumpOptions = {},
  ) {
    if (tun.headroom < SSTP_PPP_HEADER) throw new RangeError(`TUN headroom ${tun.headroom} < ${SSTP_PPP_HEADER}`);
    tun.onPackets((batch) => this.outbound(batch));
  }

  get stats(): PumpStats {
    return { ...this.s };
  }

  /** Starts carrying packets for `session` (again, after a reconnect). */
  attach(session: SessionDataPort): void {
    this.detach();
    this.session = session;
    this.unsubscribe = session.onIpBatch
      ? session.onIpBatch((packets) => this.inbound(packets))
      : session.onIpPacket((p) => this.inbound([p]));
    this.tun.resume();
  }

  /** The session went away: outbound packets are dropped until the next attach(); the TUN stays. */
  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.session = undefined;
    this.backlog = [];
  }

  stop(): void {
    this.stopped = true;
    this.detach();
    this.tun.close();
  }

  private outbound(batch: PacketBatch): void {
    const session = this.session;
    if (!session || this.stopped) {
      this.s.txDropped += batch.count;
      return;
    }
    const { buffer, bounds, count, headroom } = batch;
    const room = headroom - SSTP_PPP_HEADER;
    const maxIp = Math.min(session.peerMru, SSTP_MAX_PACKET_LENGTH - SSTP_PPP_HEADER);
    // Runs of consecutive sendable frames go out as one write each; usually that is the whole batch.
    let runStart = -1;
    let full = false;
    const flush = (end: number) => {
      if (runStart < 0) return;
      if (!session.writeFramed(buffer.subarray(runStart, end))) full = true;
      runStart = -1;
    };
    for (let i = 0; i < count; i++) {
      const frameStart = (bounds[i] ?? 0) + room;
      const frameEnd = bounds[i + 1] ?? frameStart;
      const ipLength = frameEnd - frameStart - SSTP_PPP_HEADER;
      const version = (buffer[frameStart + SSTP_PPP_HEADER] ?? 0) >> 4;
      const sendable = ipLength > 0 && ipLength <= maxIp && (version === 4 || (version === 6 && session.ipv6Up));
      if (!sendable) {
        flush(bounds[i] ?? frameStart);
        this.s.txDropped++;
        continue;
      }
      const mss = this.options.mssClamp;
      if (mss !== undefined && clampMss(buffer, frameStart + SSTP_PPP_HEADER, frameEnd, mss)) this.s.mssClamped++;
      writeIpFrameHeader(buffer, frameStart, ipLength, version === 6);
      if (runStart < 0) runStart = frameStart;
      else if (room > 0) {
        // Frames are contiguous only without extra room; otherwise send what we have and restart.
        flush(bounds[i] ?? frameStart);
        runStart = frameStart;
      }
      this.s.txPackets++;
      this.s.txBytes += ipLength;
    }
    flush(bounds[count] ?? 0);
    if (full) {
      this.s.tlsStalls++;
      this.tun.pause();
      session.onDrain(() => {
        if (this.session === session && !this.stopped) this.tun.resume();
      });
    }
  }

  /**
   * `packets` is the session's (shared, read-only) and valid during this call only (their bytes may
   * lie in the session's read arena): the TUN write copies them; what waits for the TUN is copied.
   */
  private inbound(shared: readonly Buffer[]): void {
    const clamped = this.options.mssClamp === undefined ? shared : this.clampInbound(shared, this.options.mssClamp);
    const divert = this.options.divert;
    const packets = divert === undefined ? clamped : diverted(clamped, divert);
    this.s.rxPackets += packets.length;
    for (const p of packets) this.s.rxBytes += p.length;
    if (this.backlog.length > 0) {
      // Already stalled: keep the order, the drain writes these after the older ones.
      this.backlog.push(...kept(packets, 0));
      return;
    }
    const written = this.tun.write(packets);
    if (written >= packets.length) return;
    // The device is full: stop reading TLS (what was already read still lands here) until it drains.
    this.backlog = kept(packets, written);
    this.s.tunStalls++;
    this.session?.pauseReceive();
    this.tun.onWritable(() => this.drainBacklog());
  }

  /** The session's packets are read-only views: a SYN to rewrite is copied, the array only if one is. */
  private clampInbound(shared: readonly Buffer[], mss: number): readonly Buffer[] {
    let out: Buffer[] | undefined;
    for (let i = 0; i < shared.length; i++) {
      const p = shared[i] as Buffer;
      if (!needsMssClamp(p, 0, p.length, mss)) continue;
      const copy = Buffer.from(p);
      clampMss(copy, 0, copy.length, mss);
      this.s.mssClamped++;
      out ??= shared.slice();
      out[i] = copy;
    }
    return out ?? shared;
  }

  private drainBacklog(): void {
    if (this.stopped) return;
    const written = this.backlog.length > 0 ? this.tun.write(this.backlog) : 0;
    this.backlog = this.backlog.slice(written);
    if (this.backlog.length > 0) {
      this.tun.onWritable(() => this.drainBacklog());
      return;
    }
    this.session?.resumeReceive();
  }
}

/** Copies of packets[from...], in one allocation: they wait for the TUN beyond the session's burst. */
function kept(packets: readonly Buffer[], from: number): Buffer[] {
  let total = 0;
  for (let i = from; i < packets.length; i++) total += (packets[i] as Buffer).length;
  const copy = Buffer.allocUnsafe(total);
  const out: Buffer[] = [];
  let at = 0;
  for (let i = from; i < packets.length; i++) {
    const p = packets[i] as Buffer;
    p.copy(copy, at);
    out.push(copy.subarray(at, at + p.length));
    at += p.length;
  }
  return out;
}

/** `packets` without the ones `divert` took; the same array when it took none (the usual case). */
function diverted(packets: readonly Buffer[], divert: (packet: Buffer) => boolean): readonly Buffer[] {
  let kept: Buffer[] | undefined;
  for (const [i, p] of packets.entries()) {
    if (divert(p)) kept ??= packets.slice(0, i);
    else kept?.push(p);
  }
  return kept ?? packets;
}
