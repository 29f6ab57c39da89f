// What the packet pump needs from a live session: a byte pipe for pre-framed SSTP data packets,
// IP packets out, and flow control both ways. SstpSession implements it.

export interface LinkIpv6 {
  /** e.g. "21a:2bff:fe3c:4d5e": the low 64 bits of our addresses. */
  readonly localInterfaceId: string;
  readonly peerInterfaceId: string | null;
}

/** The part of a session event the data path reads: 'ipv6-up' carries IPv6CP's identifiers. */
export interface LinkEvent {
  readonly type: string;
  readonly ipv6?: LinkIpv6;
}

export interface SessionDataPort {
  /** Writes bytes that are already whole SSTP data packets. False: the transport buffer is full. */
  writeFramed(bytes: Buffer): boolean;
  /** One-shot: `cb` once the transport buffer has drained after writeFramed returned false. */
  onDrain(cb: () => void): void;
  /**
   * Received IP packets (IPv4 and IPv6), one call each. Returns an unsubscribe function. Here and in
   * onIpBatch a packet is valid during the call only (its bytes may lie in a read arena that is
   * written again after the read burst): copy what you keep.
   */
  onIpPacket(listener: (packet: Buffer) => void): () => void;
  /**
   * Received IP packets in batches: all that one transport read burst carried, in order, so the
   * pump can hand them to the TUN in one call (where TCP segments get merged). The array is shared
   * by all listeners: read it, do not keep or modify it. Optional: without it the pump takes
   * onIpPacket's packets one at a time.
   */
  onIpBatch?(listener: (packets: readonly Buffer[]) => void): () => void;
  /** Stop / restart reading from the transport (the TUN side is backed up). */
  pauseReceive(): void;
  resumeReceive(): void;
  /** Whether IPv6 packets may be sent (IPv6CP open). */
  readonly ipv6Up: boolean;
  /**
   * The session's events (SstpSession.onEvent); IPv6 on the TUN (ipv6-link.ts) takes 'ipv6-up' from
   * them. Optional for fakes. Typed structurally so the data path needs nothing above it.
   */
  onEvent?(listener: (event: LinkEvent) => void): () => void;
  /** Largest IP packet the server accepts (its MRU). */
  readonly peerMru: number;
}
