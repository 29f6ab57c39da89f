// Bytes through a tunnel, counted where packets cross the service (session ⇄ data plane or our own ping).
import type { SessionLike, TunnelPort } from './ports.js';

export class ByteCounter {
  bytesIn = 0;
  bytesOut = 0;
  private readonly stop: () => void;

  constructor(private readonly session: SessionLike) {
    this.stop = session.onIpPacket((p) => {
      this.bytesIn += p.length;
    });
  }

  /** The port handed to the data plane and the ping: every packet sent through it is counted. */
  readonly port: TunnelPort = {
    sendIp: (packet) => {
      // write() answers false under back-pressure too (the packet is queued, not lost), so count it anyway.
      this.bytesOut += packet.length;
      return this.session.sendIp(packet);
    },
    onIpPacket: (listener) => this.session.onIpPacket(listener),
  };

  /** Counter state as a single comparable value, to push snapshots only when something moved. */
  get mark(): string {
    return `${this.bytesIn}/${this.bytesOut}`;
  }

  dispose(): void {
    this.stop();
  }
}
