// One SSTP session: TCP → (proxy) → TLS → HTTP → SSTP call → PPP → IP packets.
// The thin adapter between a socket and the socket-free sequencer (sequencer/sequencer.ts), which owns
// the phase order, the deadline and the one way a session ends. This file dials (through the injected
// Dialer), feeds the socket's bytes to the sequencer in bounded turns, writes what it sends, and does
// flow control for the packet pump; it publishes the sequencer's events and its single ending.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { systemClock, type Clock } from './clock.js';
import type { SessionConfig } from './config.js';
import type { SessionFailure } from './failure.js';
import { silentSink, type LogSink } from './log.js';
import type { AuthenticatorFactory } from './ppp/auth/authenticator.js';
import type { SstpTimers } from './sstp/control.js';
import { IpPacketFanout } from './datapath/ip-fanout.js';
import type { SessionDataPort } from './datapath/data-port.js';
import type { TcpConnector } from './transport/tcp.js';
import { dialServer, type Dialer } from './transport/dial.js';
import { BudgetedReader } from './transport/read-budget.js';
import { ReadBursts } from './transport/read-bursts.js';
import { socketEndpoints, type StreamTap } from './diagnostics/stream-tap.js';
import { clientCertificateAlert, isClientCertificateAlert, sessionAlreadyUsed } from './session-failures.js';
import { SessionSequencer, type SequencerStateName } from './sequencer/sequencer.js';
import type { ConnectOutcome, Ipv4Info, SessionEvent } from './sequencer/session-types.js';

export type { ConnectOutcome, Ipv4Info, Ipv6Info, SessionEvent, TunnelInfo } from './sequencer/session-types.js';

export interface SessionDeps {
  readonly clock?: Clock;
  readonly log?: LogSink;
  readonly connectTcp?: TcpConnector;
  /** TCP → proxy → TLS (transport/dial.ts); tests may stand in their own. */
  readonly dial?: Dialer;
  readonly authenticatorFactory?: AuthenticatorFactory;
  /** Overrides of SSTP timers (hello interval for dead-peer detection, etc.). */
  readonly sstpTimers?: Partial<SstpTimers>;
  /** LCP echo interval for dead-peer detection (ms); off when absent. */
  readonly lcpEchoIntervalMs?: number;
  /** Time allowed from TCP connect to IPv4 up (docs/protocol.md §6: 60 s). */
  readonly negotiationTimeoutMs?: number;
  /** Diagnostics (capture, key log, byte counters): sees the bytes inside TLS. Off when absent. */
  readonly tap?: StreamTap;
}

/** A peer that never closes its side must not keep the socket (and the process) alive longer than this. */
const CLOSE_GRACE_MS = 500;

export class SstpSession implements SessionDataPort {
  private readonly clock: Clock;
  private readonly core: SessionSequencer;
  private socket: Socket | TLSSocket | undefined;
  /** Feeds the sequencer in bounded turns so a flood of tiny frames cannot stall the event loop. */
  private reader: BudgetedReader | undefined;
  /** Arena reads' end-of-burst release (transport/read-bursts.ts); absent when the socket emits 'data'. */
  private bursts: ReadBursts | undefined;
  /** The data path asked us to stop reading (its TUN is full); the reader must not resume then. */
  private receivePaused = false;
  private readonly ipOut = new IpPacketFanout();
  private readonly eventListeners = new Set<(event: SessionEvent) => void>();
  private settleConnect: ((o: ConnectOutcome) => void) | undefined;
  private resolveClosed!: (f: SessionFailure | null) => void;
  private disconnectWaiters: (() => void)[] = [];
  /** Resolves once, with the failure that ended the session, or null for a clean disconnect. */
  readonly closed: Promise<SessionFailure | null>;

  constructor(
    private readonly config: SessionConfig,
    private readonly deps: SessionDeps = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.core = new SessionSequencer(
      config,
      {
        clock: this.clock,
        log: deps.log ?? silentSink,
        tap: deps.tap,
        authenticatorFactory: deps.authenticatorFactory,
        sstpTimers: deps.sstpTimers,
        lcpEchoIntervalMs: deps.lcpEchoIntervalMs,
        negotiationTimeoutMs: deps.negotiationTimeoutMs,
      },
      {
        write: (bytes) => this.write(bytes),
        closeTransport: () => this.closeTransport(),
        ip: (packet) => this.ipOut.deliver(packet),
        event: (e) => this.publish(e),
        outcome: (o) => {
          const settle = this.settleConnect;
          this.settleConnect = undefined;
          settle?.(o);
        },
      },
    );
  }

  get stateName(): SequencerStateName {
    return this.core.stateName;
  }

  get tunnel(): { ipv4: Ipv4Info | undefined; ipv6Up: boolean } {
    return this.core.tunnel;
  }

  onEvent(listener: (event: SessionEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onIpPacket(listener: (packet: Buffer) => void): () => void {
    return this.ipOut.onPacket(listener);
  }

  onIpBatch(listener: (packets: readonly Buffer[]) => void): () => void {
    return this.ipOut.onBatch(listener);
  }

  /** Runs the whole connection sequence; resolves when IPv4 is up or with the failure. */
  connect(): Promise<ConnectOutcome> {
    if (this.core.stateName !== 'idle') {
      return Promise.resolve({ ok: false, failure: sessionAlreadyUsed(), timings: [] });
    }
    const outcome = new Promise<ConnectOutcome>((resolve) => (this.settleConnect = resolve));
    this.core.begin();
    void this.run();
    return outcome;
  }

  /** Sends one IPv4 or IPv6 packet through the tunnel. Returns false when the tunnel is not up. */
  sendIp(packet: Buffer): boolean {
    return this.core.sendIp(packet);
  }

  /** A clean end: LCP Terminate, SSTP CALL_DISCONNECT, close TLS. Resolves when done. */
  disconnect(): Promise<void> {
    if (this.core.isClosed()) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.disconnectWaiters.push(resolve));
    this.core.disconnect();
    return done;
  }

  // --- SessionDataPort: the packet pump's view ---

  writeFramed(bytes: Buffer): boolean {
    return this.core.writeFramed(bytes);
  }

  onDrain(cb: () => void): void {
    const s = this.socket;
    if (!s || s.destroyed || !s.writableNeedDrain) {
      queueMicrotask(cb);
      return;
    }
    s.once('drain', cb);
  }

  pauseReceive(): void {
    this.receivePaused = true;
    this.socket?.pause();
  }

  resumeReceive(): void {
    this.receivePaused = false;
    // A reader still working off a backlog resumes the socket itself when it is done.
    if (!this.reader?.backlogged) this.socket?.resume();
  }

  /**
   * Checks now that the server still answers (after a resume or a network change): false when the
   * call is not up, or when no ECHO_RESPONSE came within timeoutMs — the session then fails as a dead peer.
   */
  probe(timeoutMs: number): Promise<boolean> {
    return this.core.probe(timeoutMs);
  }

  get ipv6Up(): boolean {
    return this.core.ipv6Up;
  }

  get peerMru(): number {
    return this.core.peerMru;
  }

  // ---------------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    const core = this.core;
    const dial = this.deps.dial ?? dialServer;
    const r = await dial(
      this.config,
      {
        clock: this.clock,
        log: (phase) => core.logger(phase),
        ...(this.deps.connectTcp ? { connectTcp: this.deps.connectTcp } : {}),
        ...(this.deps.tap ? { tap: this.deps.tap } : {}),
      },
      {
        enter: (phase) => core.enter(phase),
        done: (phase) => core.phaseDone(phase),
        cancelled: () => core.isClosed(),
        socket: (socket) => (this.socket = socket),
        dialled: (address) => core.noteDialled(address),
      },
    );
    if (r.kind === 'cancelled') return;
    if (r.kind === 'failed') return core.fail(r.failure);
    const sock = r.socket;
    this.socket = sock;
    this.deps.tap?.open(socketEndpoints(r.tcpSocket));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      // With TLS 1.3 a server that wants a client certificate rejects us only after our handshake
      // looks complete, so its alert arrives here: that is a TLS problem, not a lost network.
      const detail = `${err.code ?? ''} ${err.message}`.trim();
      core.transportLost(detail, isClientCertificateAlert(detail) ? clientCertificateAlert(detail) : undefined);
    });
    sock.on('close', () => core.transportLost('closed'));
    // Reads in an arena (dial.ts direct) are lent once the tunnel is up and no tap keeps chunks; from
    // the first lent read on, the layers copy whatever they keep (lent stays on: a queued chunk may be one).
    let lent = false;
    const lending = (): boolean => (lent ||= r.reads !== undefined && !this.deps.tap && core.stateName === 'connected');
    const reader = new BudgetedReader({
      consume: (bytes) => core.receive(bytes, lent),
      pause: () => sock.pause(),
      resume: () => {
        if (!this.receivePaused) sock.resume();
      },
      cork: () => sock.cork(),
      uncork: () => sock.uncork(),
    });
    this.reader = reader;
    if (r.reads) {
      const bursts = new ReadBursts({
        arena: r.reads.arena,
        push: (bytes) => reader.push(bytes),
        lending,
        flush: this.ipOut.flushNow,
        backlogged: () => reader.backlogged,
      });
      this.bursts = bursts;
      r.reads.attach((bytes) => bursts.read(bytes));
    } else sock.on('data', (chunk: Buffer) => reader.push(chunk));
    core.secured(r.info);
  }

  private write(bytes: Buffer): boolean {
    const s = this.socket;
    if (!s || s.destroyed) return false;
    return s.write(bytes);
  }

  private closeTransport(): void {
    this.reader?.stop();
    this.bursts?.stop();
    const s = this.socket;
    if (!s || s.destroyed) return;
    s.end();
    this.clock.after(CLOSE_GRACE_MS, () => s.destroy(), { background: true });
  }

  private publish(e: SessionEvent): void {
    for (const l of this.eventListeners) l(e);
    if (e.type !== 'closed') return;
    this.resolveClosed(e.failure);
    const waiters = this.disconnectWaiters;
    this.disconnectWaiters = [];
    for (const w of waiters) w();
  }
}
