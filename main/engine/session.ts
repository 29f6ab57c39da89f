// One SSTP session: TCP → (proxy) → TLS → HTTP → SSTP call → PPP → IP packets.
// Linear orchestration with one fatal path (`abort`), which tells the server why (CALL_ABORT),
// releases every timer and socket, and reports exactly one SessionFailure.
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { DEFAULT_AUTH_WAIT_MS, type AuthMethod, type SessionConfig } from './config.js';
import { failure, type Phase, type SessionFailure } from './failure.js';
import { phaseLogger, silentSink, type LogSink } from './log.js';
import type { AuthenticatorFactory } from './ppp/auth/authenticator.js';
import { authenticatorFactoryFor, eapSetupOf } from './ppp/auth/index.js';
import { checkIpcpAssignment } from './ppp/ipcp-addresses.js';
import { PppLink } from './ppp/link.js';
import type { PppLinkEvent } from './ppp/link-events.js';
import { decodeControlPacket } from './sstp/control-packet.js';
import { SstpClientControl, type SstpControlEvent, type SstpTimers } from './sstp/control.js';
import { SstpDeframer, type DeframeSink } from './sstp/deframer.js';
import { encodeDataPacket } from './sstp/header.js';
import { writeIpFrameHeader } from './datapath/ip-frame-header.js';
import { IpPacketFanout } from './datapath/ip-fanout.js';
import { SSTP_PPP_HEADROOM } from './tun/packet-batch.js';
import { PhaseClock, type PhaseTiming } from './timings.js';
import type { TcpConnector } from './transport/tcp.js';
import { dialServer, sstpHttpHandshake, type Dialer, type TlsInfo } from './transport/dial.js';
import { describeDecodeError } from './bytes.js';
import { noAuthenticationRefused } from './ppp/no-authentication.js';
import {
  attemptCancelled,
  clientCertificateAlert,
  clientCertificateRefused,
  connectionLost,
  isClientCertificateAlert,
  negotiationTimedOut,
  notSstp,
  sessionAlreadyUsed,
} from './session-failures.js';
import type { SessionDataPort } from './datapath/data-port.js';
import { BudgetedReader } from './transport/read-budget.js';
import { socketEndpoints, type StreamTap } from './diagnostics/stream-tap.js';

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

export interface Ipv4Info {
  readonly local: string;
  /** null when the server did not announce its own address. */
  readonly peer: string | null;
  readonly dns: readonly string[];
}

export interface Ipv6Info {
  readonly localInterfaceId: string;
  readonly peerInterfaceId: string | null;
}

export interface TunnelInfo {
  readonly ipv4: Ipv4Info;
  readonly mru: number;
  readonly peerMru: number;
  readonly authMethod: AuthMethod | null;
  readonly tls: Omit<TlsInfo, 'leafDer'>;
  readonly timings: readonly PhaseTiming[];
  /** The server this session reached: its name and port, and the address dialled (absent behind a proxy). */
  readonly server?: { readonly host: string; readonly port: number; readonly address?: string };
}

export type ConnectOutcome =
  | { readonly ok: true; readonly info: TunnelInfo }
  | {
      readonly ok: false;
      readonly failure: SessionFailure;
      readonly timings: readonly PhaseTiming[];
      readonly tls?: Omit<TlsInfo, 'leafDer'>;
    };

export type SessionEvent =
  | { readonly type: 'phase'; readonly phase: Phase }
  /** Authentication began; the server may take until `deadline` (ms since epoch), e.g. for an MFA push. */
  | { readonly type: 'auth-pending'; readonly method: AuthMethod; readonly waitMs: number; readonly deadline: number }
  | { readonly type: 'tls'; readonly tls: Omit<TlsInfo, 'leafDer'> }
  | { readonly type: 'ipv4-up'; readonly ipv4: Ipv4Info }
  | { readonly type: 'ipv6-up'; readonly ipv6: Ipv6Info }
  | { readonly type: 'ipv6-unavailable'; readonly reason: string }
  | { readonly type: 'closed'; readonly failure: SessionFailure | null };

type State =
  | { readonly name: 'idle' }
  | { readonly name: 'connecting'; readonly phase: Phase }
  | { readonly name: 'connected' }
  | { readonly name: 'disconnecting' }
  | { readonly name: 'closed'; readonly failure: SessionFailure | null };

/** How long a clean disconnect may wait for LCP Terminate-Ack before moving on to CALL_DISCONNECT. */
const LCP_TERMINATE_WAIT_MS = 1_000;

export class SstpSession implements SessionDataPort {
  private readonly clock: Clock;
  private readonly tap: StreamTap | undefined;
  private readonly sink: LogSink;
  private readonly log;
  private state: State = { name: 'idle' };
  private readonly phases: PhaseClock;
  private socket: Socket | TLSSocket | undefined;
  private tlsInfo: TlsInfo | undefined;
  private readonly deframer = new SstpDeframer();
  private readonly deframeSink: DeframeSink = {
    data: (bytes, start, end) => this.onDataFrame(bytes, start, end),
    control: (packet) => this.onControlPacket(packet),
  };
  private control: SstpClientControl | undefined;
  /** Feeds the deframer in bounded turns so a flood of tiny frames cannot stall the event loop. */
  private reader: BudgetedReader | undefined;
  /** The data path asked us to stop reading (its TUN is full); the reader must not resume then. */
  private receivePaused = false;
  private ppp: PppLink | undefined;
  private lcp: { mru: number; peerMru: number; authMethod: AuthMethod | null } | undefined;
  private ipv4: Ipv4Info | undefined;
  private ipv6UpFlag = false;
  /** The address the TCP connection went to (the race's winner). */
  private dialled: string | undefined;
  private negotiationTimer: TimerHandle | undefined;
  /** When the whole-connect deadline falls; paused (as time left) while authentication runs. */
  private negotiationDeadline = 0;
  private negotiationLeft: number | undefined;
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
    this.tap = deps.tap;
    this.sink = deps.log ?? silentSink;
    this.log = (phase: Phase) => phaseLogger(this.sink, phase, () => this.clock.now());
    this.phases = new PhaseClock(() => this.clock.now());
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get stateName(): State['name'] {
    return this.state.name;
  }

  get tunnel(): { ipv4: Ipv4Info | undefined; ipv6Up: boolean } {
    return { ipv4: this.ipv4, ipv6Up: this.ipv6UpFlag };
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
    if (this.state.name !== 'idle') {
      return Promise.resolve({ ok: false, failure: sessionAlreadyUsed(), timings: [] });
    }
    const outcome = new Promise<ConnectOutcome>((resolve) => (this.settleConnect = resolve));
    this.armNegotiation(this.deps.negotiationTimeoutMs ?? 60_000);
    void this.run();
    return outcome;
  }

  /**
   * The whole-connect deadline. Authentication is not counted (paused on auth-pending, resumed on
   * authenticated): it has its own limit, authWaitMs, long enough for an MFA push and worded so.
   */
  private armNegotiation(ms: number): void {
    this.negotiationTimer?.cancel();
    this.negotiationDeadline = this.clock.now() + ms;
    this.negotiationTimer = this.clock.after(ms, () => {
      const phase = this.state.name === 'connecting' ? this.state.phase : 'tcp';
      this.abort(negotiationTimedOut(phase, this.deps.negotiationTimeoutMs ?? 60_000));
    });
  }

  /** Sends one IPv4 or IPv6 packet through the tunnel. Returns false when the tunnel is not up. */
  sendIp(packet: Buffer): boolean {
    if (this.state.name !== 'connected' || !this.socket) return false;
    const v = (packet[0] ?? 0) >> 4;
    if (v === 6 && !this.ipv6UpFlag) return false;
    // One allocation: SSTP header + PPP address/control/protocol in front of the IP packet.
    const out = Buffer.allocUnsafe(SSTP_PPP_HEADROOM + packet.length);
    writeIpFrameHeader(out, 0, packet.length, v === 6);
    packet.copy(out, SSTP_PPP_HEADROOM);
    this.tap?.bytes('out', 'sstp', out);
    return this.socket.write(out);
  }

  // --- SessionDataPort: the packet pump's view ---

  writeFramed(bytes: Buffer): boolean {
    if (this.state.name !== 'connected' || !this.socket) return true;
    this.tap?.bytes('out', 'sstp', bytes);
    return this.socket.write(bytes);
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

  get ipv6Up(): boolean {
    return this.ipv6UpFlag;
  }

  get peerMru(): number {
    return this.lcp?.peerMru ?? 1500;
  }

  /** A clean end: LCP Terminate, SSTP CALL_DISCONNECT, close TLS. Resolves when done. */
  disconnect(): Promise<void> {
    const s = this.state;
    if (s.name === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.disconnectWaiters.push(resolve));
    if (s.name === 'disconnecting') return done;
    if (s.name !== 'connected') {
      this.abort(attemptCancelled(s.name === 'connecting' ? s.phase : 'tcp'));
      return done;
    }
    this.state = { name: 'disconnecting' };
    this.log('disconnect').info('disconnecting');
    const ppp = this.ppp;
    if (ppp) {
      ppp.close();
      // The link emits 'closed' on Terminate-Ack; don't let a silent server hold us.
      const t = this.clock.after(LCP_TERMINATE_WAIT_MS, () => this.sstpDisconnect());
      this.afterLcpClosed = () => {
        t.cancel();
        this.sstpDisconnect();
      };
    } else this.sstpDisconnect();
    return done;
  }

  private afterLcpClosed: (() => void) | undefined;

  private sstpDisconnect(): void {
    this.afterLcpClosed = undefined;
    if (this.state.name !== 'disconnecting') return;
    this.ppp?.stop();
    if (this.control) this.control.disconnect();
    else this.finish(null);
  }

  // ---------------------------------------------------------------------------------------------

  private enter(phase: Phase): void {
    this.state = { name: 'connecting', phase };
    this.emit({ type: 'phase', phase });
  }

  private async run(): Promise<void> {
    const c = this.config;
    const dial = this.deps.dial ?? dialServer;
    const r = await dial(
      c,
      {
        clock: this.clock,
        log: (phase) => this.log(phase),
        ...(this.deps.connectTcp ? { connectTcp: this.deps.connectTcp } : {}),
        ...(this.tap ? { tap: this.tap } : {}),
      },
      {
        enter: (phase) => this.enter(phase),
        done: (phase) => this.phases.done(phase),
        cancelled: () => this.isClosed(),
        socket: (socket) => (this.socket = socket),
        dialled: (address) => (this.dialled = address),
      },
    );
    if (r.kind === 'cancelled') return;
    if (r.kind === 'failed') {
      this.abort(r.failure);
      return;
    }
    const sock = r.socket;
    this.socket = sock;
    this.tlsInfo = r.info;
    this.tap?.open(socketEndpoints(r.tcpSocket));
    this.log('tls').info(`${r.info.version} ${r.info.cipher}, server certificate SHA-256 ${r.info.certificate.sha256}`);
    this.emit({ type: 'tls', tls: publicTls(r.info) });
    this.phases.done('tls');
    sock.on('error', (err: NodeJS.ErrnoException) => this.transportError(err));
    sock.on('close', () => this.transportLost('closed'));

    this.enter('http');
    sstpHttpHandshake(sock, c, this.tap, (a) => {
      if (!a.ok) {
        this.abort(a.failure);
        return;
      }
      this.phases.done('http');
      this.log('http').debug(`rcvd ${a.statusLine}`);
      this.startSstp(sock);
      if (a.rest.length > 0) this.onTransportData(a.rest);
    });
  }

  private startSstp(sock: TLSSocket): void {
    this.enter('sstp');
    const control = new SstpClientControl({
      clock: this.clock,
      log: this.log('sstp'),
      send: (packet) => {
        if (!this.socket || this.socket.destroyed) return;
        this.tap?.bytes('out', 'sstp', packet);
        this.socket.write(packet);
      },
      onEvent: (e) => this.onControlEvent(e),
      // MS-SSTP's negotiation timer runs from CALL_CONNECT_ACK to CALL_CONNECTED, across PPP
      // authentication: it must outlast the authentication wait, or an MFA push could never finish.
      timers: { negotiationMs: 30_000 + (this.config.authWaitMs ?? DEFAULT_AUTH_WAIT_MS), ...this.deps.sstpTimers },
    });
    this.control = control;
    const reader = new BudgetedReader({
      consume: (bytes) => this.onTransportData(bytes),
      pause: () => sock.pause(),
      resume: () => {
        if (!this.receivePaused) sock.resume();
      },
      cork: () => sock.cork(),
      uncork: () => sock.uncork(),
    });
    this.reader = reader;
    sock.on('data', (chunk: Buffer) => reader.push(chunk));
    control.start();
  }

  private startPpp(): void {
    const c = this.config;
    this.enter('lcp');
    const ppp = new PppLink({
      config: {
        authMethods: c.authMethods,
        credentials: c.credentials,
        ipv6: c.ipv6,
        mru: c.mru,
        echoIntervalMs: this.deps.lcpEchoIntervalMs,
        ...(c.authWaitMs !== undefined ? { authWaitMs: c.authWaitMs } : {}),
      },
      clock: this.clock,
      log: this.sink,
      send: (frame) => this.sendFrame(frame),
      authenticatorFactory:
        this.deps.authenticatorFactory ?? authenticatorFactoryFor(eapSetupOf(c, () => this.peerMru)),
      onEvent: (e) => this.onPppEvent(e),
    });
    this.ppp = ppp;
    ppp.start();
  }

  private sendFrame(frame: Buffer): void {
    if (!this.socket || this.socket.destroyed) return;
    const packet = encodeDataPacket(frame);
    this.tap?.bytes('out', 'sstp', packet);
    this.socket.write(packet);
  }

  private onTransportData(chunk: Buffer): void {
    // Any bytes from the peer prove it alive: once per chunk (a clock read), not per packet.
    this.control?.noteReceive();
    this.tap?.bytes('in', 'sstp', chunk);
    const error = this.deframer.pushTo(chunk, this.deframeSink);
    if (error !== undefined && this.state.name !== 'closed') {
      // MS-SSTP §3.1.5.1: a stream that can no longer be delineated is closed without sending anything.
      this.abort(notSstp(this.currentPhase(), describeDecodeError(error)), { controlAlreadyClosing: true });
    }
  }

  /** A data packet's PPP frame is bytes[start, end). */
  private onDataFrame(bytes: Buffer, start: number, end: number): void {
    if (this.state.name === 'closed') return;
    // Fast path: IPv4 in an established tunnel never goes through the PPP demux (and costs one view).
    if (
      this.ipv4 &&
      end - start > 4 &&
      bytes[start] === 0xff &&
      bytes[start + 1] === 0x03 &&
      bytes[start + 2] === 0x00 &&
      bytes[start + 3] === 0x21
    ) {
      this.ipOut.deliver(bytes.subarray(start + 4, end));
      return;
    }
    this.ppp?.receive(bytes.subarray(start, end));
  }

  private onControlPacket(packet: Buffer): void {
    if (this.state.name === 'closed') return;
    const msg = decodeControlPacket(packet);
    if (!this.control) return;
    if (msg.ok) this.control.receiveControl(msg.value);
    else this.control.receiveMalformed(msg.error);
  }

  private onControlEvent(e: SstpControlEvent): void {
    switch (e.type) {
      case 'connect-ack':
        this.log('sstp').info(`call accepted; crypto binding ${e.hash.toUpperCase()}`);
        this.phases.done('sstp');
        this.startPpp();
        return;
      case 'failed':
        this.abort(e.failure, { controlAlreadyClosing: true });
        return;
      case 'closed':
        if (this.state.name === 'disconnecting') this.finish(null);
        else this.closeTransport();
        return;
    }
  }

  /** The server's address as dialled, when it is one (behind a proxy it is not known). */
  private transportAddress(): string | undefined {
    const c = this.config;
    if (c.proxy) return undefined;
    const dialled = this.dialled ?? c.address ?? c.host;
    return isIP(dialled) === 4 ? dialled : undefined;
  }

  private onPppEvent(e: PppLinkEvent): void {
    switch (e.type) {
      case 'lcp-up':
        if (e.authMethod === null && this.config.allowNoAuthentication !== true) {
          this.abort(noAuthenticationRefused());
          return;
        }
        this.lcp = { mru: e.mru, peerMru: e.peerMru, authMethod: e.authMethod };
        this.phases.done('lcp');
        this.enter('auth');
        return;
      case 'auth-pending':
        this.negotiationTimer?.cancel();
        this.negotiationLeft = Math.max(1, this.negotiationDeadline - this.clock.now());
        this.emit({ type: 'auth-pending', method: e.method, waitMs: e.waitMs, deadline: this.clock.now() + e.waitMs });
        return;
      case 'authenticated': {
        if (this.negotiationLeft !== undefined && this.state.name === 'connecting')
          this.armNegotiation(this.negotiationLeft);
        this.negotiationLeft = undefined;
        this.phases.done('auth');
        // MS-SSTP: CALL_CONNECTED with the crypto binding right after PPP authentication, before IPCP.
        if (this.control && this.tlsInfo) this.control.sendCallConnected(e.hlak, this.tlsInfo.leafDer);
        this.enter('ipcp');
        return;
      }
      case 'ipv4-up': {
        const checked = checkIpcpAssignment(e, this.transportAddress());
        if (!checked.ok) {
          this.abort(failure('ipcp', 'ppp-negotiation-failed', checked.message));
          return;
        }
        if (checked.droppedDns.length > 0)
          this.log('ipcp').warn(`ignoring unusable DNS servers from the server: ${checked.droppedDns.join(', ')}`);
        this.ipv4 = { local: e.local, peer: e.peer, dns: checked.dns };
        this.phases.done('ipcp');
        this.negotiationTimer?.cancel();
        this.state = { name: 'connected' };
        this.log('connected').info(
          `IPv4 ${e.local} peer ${e.peer ?? '(none)'}${checked.dns.length ? ` DNS ${checked.dns.join(', ')}` : ''}`,
        );
        this.emit({ type: 'ipv4-up', ipv4: this.ipv4 });
        this.settle({ ok: true, info: this.tunnelInfo() });
        return;
      }
      case 'ipv6-up':
        this.ipv6UpFlag = true;
        this.log('ipv6cp').info(`IPv6 interface id ${e.localInterfaceId} peer ${e.peerInterfaceId ?? '(none)'}`);
        this.emit({
          type: 'ipv6-up',
          ipv6: { localInterfaceId: e.localInterfaceId, peerInterfaceId: e.peerInterfaceId },
        });
        return;
      case 'ipv6-unavailable':
        this.log('ipv6cp').info(`IPv6 unavailable: ${e.reason}`);
        this.emit({ type: 'ipv6-unavailable', reason: e.reason });
        return;
      case 'ip-packet':
        this.ipOut.deliver(e.packet);
        return;
      case 'failed':
        this.abort(e.failure);
        return;
      case 'closed':
        if (this.afterLcpClosed) this.afterLcpClosed();
        return;
    }
  }

  private tunnelInfo(): TunnelInfo {
    const tls = this.tlsInfo;
    const lcp = this.lcp;
    if (!tls || !lcp || !this.ipv4) throw new Error('tunnelInfo before the tunnel is up');
    const c = this.config;
    const server = {
      host: c.host,
      port: c.port,
      ...(!c.proxy && this.dialled !== undefined ? { address: this.dialled } : {}),
    };
    return {
      ipv4: this.ipv4,
      mru: lcp.mru,
      peerMru: lcp.peerMru,
      authMethod: lcp.authMethod,
      tls: publicTls(tls),
      timings: this.phases.timings,
      server,
    };
  }

  /** A method, not an inline check, because the state changes across the awaits in run(). */
  private isClosed(): boolean {
    return this.state.name === 'closed';
  }

  private currentPhase(): Phase {
    const s = this.state;
    return s.name === 'connecting' ? s.phase : s.name === 'disconnecting' ? 'disconnect' : 'connected';
  }

  /**
   * With TLS 1.3 a server that wants a client certificate rejects us only after our handshake looks
   * complete, so its alert arrives here, not in startTls: that is a TLS problem, not a lost network.
   */
  private transportError(err: NodeJS.ErrnoException): void {
    const detail = `${err.code ?? ''} ${err.message}`.trim();
    if (isClientCertificateAlert(detail) && this.state.name !== 'closed') {
      this.abort(clientCertificateAlert(detail), { transportGone: true });
      return;
    }
    this.transportLost(detail);
  }

  private transportLost(why: string): void {
    const s = this.state;
    if (s.name === 'closed') return;
    if (s.name === 'disconnecting') {
      this.finish(null);
      return;
    }
    if (this.currentPhase() === 'http' && this.config.clientCertificate) {
      // TLS 1.3 completes our side of the handshake before the server checks our certificate; a
      // server that refuses it may just hang up (no alert), which is no network problem.
      this.abort(clientCertificateRefused(why), { transportGone: true });
      return;
    }
    this.abort(connectionLost(this.currentPhase(), why), { transportGone: true });
  }

  /**
   * The one fatal path. Sends CALL_ABORT when the call is up and the transport alive, stops PPP and
   * every timer, closes the transport, settles connect() and `closed` with this failure.
   */
  private abort(f: SessionFailure, how: { controlAlreadyClosing?: boolean; transportGone?: boolean } = {}): void {
    if (this.state.name === 'closed') return;
    this.log(f.phase).error(`${f.code}: ${f.message}${f.detail ? ` (${f.detail})` : ''}`);
    this.state = { name: 'closed', failure: f };
    this.negotiationTimer?.cancel();
    this.ppp?.stop();
    const control = this.control;
    if (control && !how.transportGone && !how.controlAlreadyClosing && f.code !== 'connection-lost') {
      control.abort(statusFor(f));
    }
    control?.stop();
    // Give the CALL_ABORT a moment to leave before the socket is closed.
    this.closeTransport();
    this.settle({
      ok: false,
      failure: f,
      timings: this.phases.timings,
      tls: this.tlsInfo ? publicTls(this.tlsInfo) : undefined,
    });
    this.emit({ type: 'closed', failure: f });
    this.resolveClosed(f);
    this.flushDisconnectWaiters();
  }

  private finish(f: null): void {
    if (this.state.name === 'closed') return;
    this.state = { name: 'closed', failure: f };
    this.negotiationTimer?.cancel();
    this.ppp?.stop();
    this.control?.stop();
    this.closeTransport();
    this.log('disconnect').info('disconnected');
    this.emit({ type: 'closed', failure: null });
    this.resolveClosed(null);
    this.flushDisconnectWaiters();
  }

  private closeTransport(): void {
    this.reader?.stop();
    const s = this.socket;
    if (!s || s.destroyed) return;
    s.end();
    // A peer that never closes its side must not keep the socket (and the process) alive.
    const t = setTimeout(() => s.destroy(), 500);
    t.unref();
  }

  private settle(o: ConnectOutcome): void {
    const s = this.settleConnect;
    this.settleConnect = undefined;
    s?.(o);
  }

  private flushDisconnectWaiters(): void {
    const w = this.disconnectWaiters;
    this.disconnectWaiters = [];
    for (const r of w) r();
  }

  private emit(e: SessionEvent): void {
    for (const l of this.eventListeners) l(e);
  }
}

function publicTls(t: TlsInfo): Omit<TlsInfo, 'leafDer'> {
  return { version: t.version, cipher: t.cipher, certificate: t.certificate };
}

function statusFor(f: SessionFailure): 'NO_ERROR' | 'NEGOTIATION_TIMEOUT' | 'INVALID_FRAME_RECEIVED' {
  if (f.code === 'negotiation-timeout') return 'NEGOTIATION_TIMEOUT';
  if (f.code === 'protocol-error') return 'INVALID_FRAME_RECEIVED';
  return 'NO_ERROR';
}
