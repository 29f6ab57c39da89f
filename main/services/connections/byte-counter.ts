// Bytes through one connection, across its reconnects. In: every IP packet a session delivers (to the
// pump and to our own ping alike). Out: what the system sent through the pump, plus our own packets.
import type { IpPacketPort } from '../../engine/packet/ping.js';
import type { PumpStats } from '../../engine/datapath/pump.js';
import type { SessionLike } from './ports.js';

export class ByteCounter {
  private received = 0;
  private sentOwn = 0;

  constructor(private readonly pumped: () => PumpStats | undefined) {}

  /** Counts what this session receives; called once for each session of the connection. */
  watch(session: SessionLike): void {
    session.onIpPacket((p) => {
      this.received += p.length;
    });
  }

  /** A port for the service's own packets (ping) through `session`: every packet sent is counted. */
  port(session: SessionLike): IpPacketPort {
    return {
      sendIp: (packet) => {
        // sendIp answers false under back-pressure too (the packet is queued, not lost), so count it anyway.
        this.sentOwn += packet.length;
        session.sendIp(packet);
      },
      onIpPacket: (listener) => session.onIpPacket(listener),
    };
  }

  get bytesIn(): number {
    return this.received;
  }

  get bytesOut(): number {
    return this.sentOwn + (this.pumped()?.txBytes ?? 0);
  }

  /** Counter state as a single comparable value, to push snapshots only when something moved. */
  get mark(): string {
    return `${this.bytesIn}/${this.bytesOut}`;
  }
}
