// The far end's data plane in ceiling.ts --traffic tcp: once the strict peer has negotiated the
// session, SSTP data frames from the client go to a TUN of our own (the product's addon, so runs
// of TCP segments are written as GSO packets) and what that TUN gives back goes to the client as
// SSTP data frames. Lean on purpose — one deframer pass, one TUN write per read burst, the TUN
// batch's headroom becomes the SSTP + PPP headers, one TLS write per TUN batch — so that the far
// end costs about what the client's engine does, and shows it if it does not.
// Everything that is not an IPv4 packet (SSTP and LCP echoes, LCP terminate…) is handed back to the
// peer, which answers as it did during negotiation.
import type { TLSSocket } from 'node:tls';
import { SstpDeframer, type FramedPacket } from '../../main/engine/sstp/deframer.js';
import type { PacketBatch } from '../../main/engine/tun/packet-batch.js';
import type { TunDevice } from '../../main/engine/tun/tun-device.js';

export interface RelayStats {
  /** IP packets and bytes from the client written to the far TUN. */
  toTunPackets: number;
  toTunBytes: number;
  /** Read bursts from the far TUN, and the packets and bytes sent to the client. */
  fromTunBursts: number;
  fromTunPackets: number;
  fromTunBytes: number;
  /** The TUN refused a write (queue full): TLS reads paused until it is writable. */
  tunStalls: number;
  /** TLS write buffer above its high-water mark: TUN reads paused until 'drain'. */
  tlsStalls: number;
  /** Frames handed back to the peer (control packets, LCP). */
  otherFrames: number;
}

const PPP_IPV4 = 0x0021;
/**
 * TUN reads pause only above this many buffered TLS bytes, not at Node's 16 KiB high-water mark: one
 * read burst (~50–60 packets, ~80 KB) is already past that, so every burst would stop reading.
 */
const TLS_BACKLOG_LIMIT = 1 << 20;

/** Takes `socket` over from the peer (its 'data' listeners are removed) and starts relaying. */
export function startRelay(socket: TLSSocket, tun: TunDevice, toPeer: (p: FramedPacket) => void): RelayStats {
  const stats: RelayStats = {
    toTunPackets: 0,
    toTunBytes: 0,
    fromTunBursts: 0,
    fromTunPackets: 0,
    fromTunBytes: 0,
    tunStalls: 0,
    tlsStalls: 0,
    otherFrames: 0,
  };
  const deframer = new SstpDeframer();
  let pending: Buffer[] = [];
  let flushQueued = false;
  let backlog: { batch: Buffer[]; at: number } | undefined;

  const writeFrom = (batch: Buffer[], at: number): void => {
    const n = tun.write(batch, at);
    if (n >= batch.length) return;
    stats.tunStalls++;
    backlog = { batch, at: n };
    socket.pause();
    tun.onWritable(() => {
      const b = backlog;
      backlog = undefined;
      if (b !== undefined) writeFrom(b.batch, b.at);
      if (backlog === undefined) {
        socket.resume();
        flush();
      }
    });
  };
  // One TUN write per read burst (setImmediate), not per TLS chunk: longer runs for GSO to merge.
  const flush = (): void => {
    flushQueued = false;
    if (backlog !== undefined || pending.length === 0) return;
    const batch = pending;
    pending = [];
    writeFrom(batch, 0);
  };
  const sink = {
    data(bytes: Buffer, start: number, end: number): void {
      let p = start;
      if (bytes[p] === 0xff && bytes[p + 1] === 0x03) p += 2;
      // Protocol-field compression would make it one odd byte; an even first byte means two.
      let proto = bytes[p] ?? 0;
      if ((proto & 1) === 0) proto = (proto << 8) | (bytes[++p] ?? 0);
      p++;
      if (proto === PPP_IPV4 && p < end) {
        pending.push(bytes.subarray(p, end));
        stats.toTunPackets++;
        stats.toTunBytes += end - p;
      } else {
        stats.otherFrames++;
        toPeer({ kind: 'data', frame: bytes.subarray(start, end) });
      }
    },
    control(packet: Buffer): void {
      stats.otherFrames++;
      toPeer({ kind: 'control', packet });
    },
  };
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => {
    const error = deframer.pushTo(chunk, sink);
    if (error !== undefined) {
      socket.destroy(new Error(`unframeable stream: ${error.field}: ${error.reason}`));
      return;
    }
    if (!flushQueued && pending.length > 0) {
      flushQueued = true;
      setImmediate(flush);
    }
  });

  tun.onPackets((batch: PacketBatch) => {
    const { buffer, bounds, count } = batch;
    if (count === 0) return;
    for (let i = 0; i < count; i++) {
      const o = bounds[i] ?? 0;
      const length = (bounds[i + 1] ?? 0) - o;
      // SSTP data header (version 0x10, C = 0, length incl. header) + PPP FF 03 and the protocol.
      buffer[o] = 0x10;
      buffer[o + 1] = 0;
      buffer.writeUInt16BE(length, o + 2);
      buffer.writeUInt32BE((buffer[o + 8] ?? 0) >> 4 === 6 ? 0xff030057 : 0xff030021, o + 4);
    }
    stats.fromTunBursts++;
    stats.fromTunPackets += count;
    stats.fromTunBytes += (bounds[count] ?? 0) - (bounds[0] ?? 0) - count * 8;
    // write() says false past 16 KiB; 'drain' still comes once the buffer is empty again.
    if (!socket.write(buffer.subarray(bounds[0], bounds[count])) && socket.writableLength > TLS_BACKLOG_LIMIT) {
      stats.tlsStalls++;
      tun.pause();
      socket.once('drain', () => tun.resume());
    }
  });
  socket.on('close', () => tun.pause());
  return stats;
}
