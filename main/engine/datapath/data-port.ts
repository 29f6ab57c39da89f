// What the packet pump needs from a live session: a byte pipe for pre-framed SSTP data packets,
// IP packets out, and flow control both ways. SstpSession implements it.

export interface SessionDataPort {
  /** Writes bytes that are already whole SSTP data packets. False: the transport buffer is full. */
  writeFramed(bytes: Buffer): boolean;
  /** One-shot: `cb` once the transport buffer has drained after writeFramed returned false. */
  onDrain(cb: () => void): void;
  /** Received IP packets (IPv4 and IPv6). Returns an unsubscribe function. */
  onIpPacket(listener: (packet: Buffer) => void): () => void;
  /** Stop / restart reading from the transport (the TUN side is backed up). */
  pauseReceive(): void;
  resumeReceive(): void;
  /** Whether IPv6 packets may be sent (IPv6CP open). */
  readonly ipv6Up: boolean;
  /** Largest IP packet the server accepts (its MRU). */
  readonly peerMru: number;
}
