// The socket-free core of one SSTP session: the phase order after TLS (HTTP answer → SSTP
// CALL_CONNECT_REQUEST/ACK → PPP LCP → authentication → CALL_CONNECTED → IPCP/IPv6CP → up), the
// whole-connect deadline, and the one way a session ends (end(): CALL_ABORT when the server should
// hear why, every timer and the transport released, exactly one 'closed').
// No I/O and no event-loop calls: bytes come in through receive(), leave through ports.write(), time
// is the injected clock. SstpSession (session.ts) wires a socket from the Dialer to it; unit tests
// drive it with a ManualClock and a server made of the real codecs.
import { parseIpv4 } from '../addresses.js';
import type { Clock } from '../clock.js';
import type { AuthMethod, SessionConfig } from '../config.js';
import { failure, type Phase, type SessionFailure } from '../failure.js';
import { phaseLogger, type LogSink, type Logger } from '../log.js';
import type { StreamTap } from '../diagnostics/stream-tap.js';
import { PhaseClock } from '../timings.js';
import type { TlsInfo } from '../transport/tls.js';
import { buildSstpHttpRequest, SstpHttpResponseReader, sstpHttpFailure } from '../sstp/http.js';
import { frameIpPacket } from '../datapath/ip-frame-header.js';
import { checkIpcpAssignment } from '../ppp/ipcp-addresses.js';
import type { PppLinkEvent } from '../ppp/link-events.js';
import { noAuthenticationRefused } from '../ppp/no-authentication.js';
import {
  attemptCancelled,
  clientCertificateRefused,
  connectionLost,
  negotiationTimedOut,
} from '../session-failures.js';
import { NegotiationDeadline } from './deadline.js';
import { SequencerLayers, type LayerDeps } from './layers.js';
import { publicTls, type ConnectOutcome, type Ipv4Info, type SessionEvent, type TunnelInfo } from './session-types.js';

/** What the sequencer needs from the transport and the session around it. */
export interface SequencerPorts {
  /** Bytes for the server, inside TLS. False: the transport's buffer is full (or it is gone). */
  write(bytes: Buffer): boolean;
  /** End the transport; called once the session is over, or once SSTP has nothing left to say. */
  closeTransport(): void;
  /** One received IP packet (IPv4 or IPv6). */
  ip(packet: Buffer): void;
  event(e: SessionEvent): void;
  /** How connect() ended: once, when IPv4 is up or with the failure. */
  outcome(o: ConnectOutcome): void;
}

export interface SequencerDeps extends Omit<LayerDeps, 'sink'> {
  readonly log: LogSink;
  readonly tap?: StreamTap;
  /** Time allowed from TCP connect to IPv4 up, authentication not counted (default 60 s). */
  readonly negotiationTimeoutMs?: number;
}

/** How a failure ends the call: 'tell' sends CALL_ABORT; 'silent' when the server cannot or need not hear it. */
export type AbortMode = 'tell' | 'silent';

type State =
  | { readonly name: 'idle' }
  | { readonly name: 'connecting'; readonly phase: Phase }
  | { readonly name: 'connected' }
  | { readonly name: 'disconnecting' }
  | { readonly name: 'closed'; readonly failure: SessionFailure | null };

export type SequencerStateName = State['name'];

const DEFAULT_NEGOTIATION_MS = 60_000;

export class SessionSequencer {
  private state: State = { name: 'idle' };
  private readonly log: (phase: Phase) => Logger;
  private readonly phases: PhaseClock;
  private readonly deadline: NegotiationDeadline;
  private readonly layers: SequencerLayers;
  private tlsInfo: TlsInfo | undefined;
  /** Set while the HTTP answer is awaited; the SSTP stream begins after it. */
  private http: SstpHttpResponseReader | undefined;
  private lcp: { mru: number; peerMru: number; authMethod: AuthMethod | null } | undefined;
  private ipv4: Ipv4Info | undefined;
  private ipv6Open = false;
  /** The address the TCP connection went to (the race's winner). */
  private dialled: string | undefined;
  private outcomeSent = false;

  constructor(
    private readonly config: SessionConfig,
    private readonly deps: SequencerDeps,
    private readonly ports: SequencerPorts,
  ) {
    const clock: Clock = deps.clock;
    this.log = (phase: Phase) => phaseLogger(deps.log, phase, () => clock.now());
    this.phases = new PhaseClock(() => clock.now());
    this.deadline = new NegotiationDeadline(clock, () => {
      const s = this.state;
      this.fail(negotiationTimedOut(s.name === 'connecting' ? s.phase : 'tcp', this.negotiationMs));
    });
    this.layers = new SequencerLayers(config, { ...deps, sink: deps.log }, ports, {
      tap: deps.tap,
      callAccepted: () => this.startPpp(),
      ppp: (e) => this.onPppEvent(e),
      failed: (f, mode) => this.fail(f, mode),
      // After our CALL_DISCONNECT this is the clean end; after a failure, the end() already ran.
      sstpClosed: () => (this.state.name === 'disconnecting' ? this.end(null) : this.ports.closeTransport()),
      ip: (packet) => this.ports.ip(packet),
      ipv4Up: () => this.ipv4 !== undefined,
      phase: () => this.currentPhase(),
    });
  }

  private get negotiationMs(): number {
    return this.deps.negotiationTimeoutMs ?? DEFAULT_NEGOTIATION_MS;
  }

  get stateName(): SequencerStateName {
    return this.state.name;
  }

  get tunnel(): { ipv4: Ipv4Info | undefined; ipv6Up: boolean } {
    return { ipv4: this.ipv4, ipv6Up: this.ipv6Open };
  }

  get ipv6Up(): boolean {
    return this.ipv6Open;
  }

  get peerMru(): number {
    return this.lcp?.peerMru ?? 1500;
  }

  /** Checks that the server still answers (layers.probe); false unless connected. Issue 13's resume check. */
  probe(timeoutMs: number): Promise<boolean> {
    return this.state.name === 'connected' ? this.layers.probe(timeoutMs) : Promise.resolve(false);
  }

  /** A logger for one phase, on the session's clock (the dialer logs through it). */
  logger(phase: Phase): Logger {
    return this.log(phase);
  }

  /** The session was closed (a method: callers check it across awaits). */
  isClosed(): boolean {
    return this.state.name === 'closed';
  }

  // --- driven by the adapter while it dials ---

  /** connect() began: the whole-connect deadline starts now. */
  begin(): void {
    this.deadline.arm(this.negotiationMs);
  }

  enter(phase: Phase): void {
    this.state = { name: 'connecting', phase };
    this.ports.event({ type: 'phase', phase });
  }

  phaseDone(phase: Phase): void {
    this.phases.done(phase);
  }

  noteDialled(address: string): void {
    this.dialled = address;
  }

  /** TLS is up: publish it, send the SSTP HTTP request (MS-SSTP §3.2.4.1) and await the answer. */
  secured(info: TlsInfo): void {
    if (this.isClosed()) return;
    this.tlsInfo = info;
    this.log('tls').info(`${info.version} ${info.cipher}, server certificate SHA-256 ${info.certificate.sha256}`);
    this.ports.event({ type: 'tls', tls: publicTls(info) });
    this.phases.done('tls');
    this.enter('http');
    this.http = new SstpHttpResponseReader();
    // The name the TLS layer presented (SNI): accel-ppp's host-name check compares Host with it.
    const request = buildSstpHttpRequest({ host: this.config.sni ?? this.config.host });
    this.deps.tap?.bytes('out', 'http', request);
    this.ports.write(request);
  }

  // --- bytes in, IP out ---

  /**
   * Bytes from the server, in order. Never throws on bad bytes: they end the session with a typed failure.
   * `lent`: the bytes are valid only until the end of this read burst (transport/read-arena.ts).
   */
  receive(chunk: Buffer, lent = false): void {
    if (this.isClosed()) return;
    const http = this.http;
    if (!http) {
      this.layers.receive(chunk, lent);
      return;
    }
    const p = http.push(chunk);
    this.deps.tap?.bytes('in', 'http', p.done && p.ok ? chunk.subarray(0, chunk.length - p.rest.length) : chunk);
    if (!p.done) return;
    this.http = undefined;
    if (!p.ok) return this.fail(sstpHttpFailure(p.error));
    this.phases.done('http');
    this.log('http').debug(`rcvd ${p.statusLine}`);
    this.enter('sstp');
    this.layers.startSstp();
    if (p.rest.length > 0) this.layers.receive(p.rest);
  }

  /** Sends one IPv4 or IPv6 packet through the tunnel. False when the tunnel is not up or the transport is full. */
  sendIp(packet: Buffer): boolean {
    if (this.state.name !== 'connected') return false;
    const ipv6 = (packet[0] ?? 0) >> 4 === 6;
    if (ipv6 && !this.ipv6Open) return false;
    return this.write(frameIpPacket(packet, ipv6));
  }

  /** Bytes that are already whole SSTP data packets (the packet pump's batches). */
  writeFramed(bytes: Buffer): boolean {
    if (this.state.name !== 'connected') return true;
    return this.write(bytes);
  }

  // --- the transport's own news ---

  /** The transport failed or closed; `clientCertAlert` is a TLS alert refusing our client certificate. */
  transportLost(why: string, clientCertAlert?: SessionFailure): void {
    const s = this.state;
    if (s.name === 'closed') return;
    if (clientCertAlert) return this.fail(clientCertAlert, 'silent');
    if (s.name === 'disconnecting') return this.end(null);
    if (this.currentPhase() === 'http' && this.config.clientCertificate) {
      // TLS 1.3 completes our side of the handshake before the server checks our certificate; a
      // server that refuses it may just hang up (no alert), which is no network problem.
      return this.fail(clientCertificateRefused(why), 'silent');
    }
    this.fail(connectionLost(this.currentPhase(), why), 'silent');
  }

  // --- ending ---

  /** A clean end once up (LCP Terminate, then SSTP CALL_DISCONNECT); before that, a cancel. */
  disconnect(): void {
    const s = this.state;
    if (s.name === 'closed' || s.name === 'disconnecting') return;
    if (s.name !== 'connected') return this.fail(attemptCancelled(s.name === 'connecting' ? s.phase : 'tcp'));
    this.state = { name: 'disconnecting' };
    this.log('disconnect').info('disconnecting');
    if (!this.layers.closePpp(() => this.sstpDisconnect())) this.sstpDisconnect();
  }

  private sstpDisconnect(): void {
    if (this.state.name !== 'disconnecting') return;
    if (!this.layers.sstpDisconnect()) this.end(null);
  }

  /** A failure: the session ends with it. */
  fail(f: SessionFailure, mode: AbortMode = 'tell'): void {
    this.end(f, mode);
  }

  /**
   * The one teardown, for a failure and for a clean disconnect alike: stops the deadline, PPP and SSTP
   * (with CALL_ABORT first when the server should hear why), closes the transport, settles connect()
   * with a failure, and emits 'closed' once.
   */
  private end(f: SessionFailure | null, mode: AbortMode = 'tell'): void {
    if (this.isClosed()) return;
    if (f) this.log(f.phase).error(`${f.code}: ${f.message}${f.detail ? ` (${f.detail})` : ''}`);
    this.state = { name: 'closed', failure: f };
    this.deadline.cancel();
    this.layers.stop(f && mode === 'tell' && f.code !== 'connection-lost' ? f : undefined);
    this.ports.closeTransport();
    if (f) {
      const tls = this.tlsInfo ? publicTls(this.tlsInfo) : undefined;
      this.settle({ ok: false, failure: f, timings: this.phases.timings, tls });
    } else this.log('disconnect').info('disconnected');
    this.ports.event({ type: 'closed', failure: f });
  }

  // --- the PPP phases ---

  private startPpp(): void {
    this.phases.done('sstp');
    this.enter('lcp');
    this.layers.startPpp();
  }

  private onPppEvent(e: PppLinkEvent): void {
    switch (e.type) {
      case 'lcp-up':
        if (e.authMethod === null && this.config.allowNoAuthentication !== true)
          return this.fail(noAuthenticationRefused());
        this.lcp = { mru: e.mru, peerMru: e.peerMru, authMethod: e.authMethod };
        this.phases.done('lcp');
        return this.enter('auth');
      case 'auth-pending': {
        this.deadline.pause();
        const deadline = this.deps.clock.now() + e.waitMs;
        return this.ports.event({ type: 'auth-pending', method: e.method, waitMs: e.waitMs, deadline });
      }
      case 'authenticated':
        this.deadline.resume(this.state.name === 'connecting');
        this.phases.done('auth');
        // MS-SSTP: CALL_CONNECTED with the crypto binding right after PPP authentication, before IPCP.
        if (this.tlsInfo) this.layers.callConnected(e.hlak, this.tlsInfo.leafDer);
        return this.enter('ipcp');
      case 'ipv4-up':
        return this.ipv4Up(e);
      case 'ipv6-up':
        this.ipv6Open = true;
        this.log('ipv6cp').info(`IPv6 interface id ${e.localInterfaceId} peer ${e.peerInterfaceId ?? '(none)'}`);
        return this.ports.event({
          type: 'ipv6-up',
          ipv6: { localInterfaceId: e.localInterfaceId, peerInterfaceId: e.peerInterfaceId },
        });
      case 'ipv6-unavailable':
        this.log('ipv6cp').info(`IPv6 unavailable: ${e.reason}`);
        return this.ports.event({ type: 'ipv6-unavailable', reason: e.reason });
      case 'ip-packet':
      case 'failed':
      case 'closed':
        return; // routed by SequencerLayers (ip, failed, lcpClosed)
    }
  }

  private ipv4Up(e: Extract<PppLinkEvent, { type: 'ipv4-up' }>): void {
    const checked = checkIpcpAssignment(e, this.transportAddress(), this.config.lanGateways);
    if (!checked.ok) return this.fail(failure('ipcp', 'ppp-negotiation-failed', checked.message));
    if (checked.droppedDns.length > 0)
      this.log('ipcp').warn(`ignoring unusable DNS servers from the server: ${checked.droppedDns.join(', ')}`);
    this.ipv4 = { local: e.local, peer: e.peer, dns: checked.dns };
    this.phases.done('ipcp');
    this.deadline.cancel();
    this.state = { name: 'connected' };
    const dns = checked.dns.length ? ` DNS ${checked.dns.join(', ')}` : '';
    this.log('connected').info(`IPv4 ${e.local} peer ${e.peer ?? '(none)'}${dns}`);
    this.ports.event({ type: 'ipv4-up', ipv4: this.ipv4 });
    this.settle({ ok: true, info: this.tunnelInfo(this.ipv4) });
  }

  /** The server's address as dialled, when it is one (behind a proxy it is not known). */
  private transportAddress(): string | undefined {
    const c = this.config;
    if (c.proxy) return undefined;
    const dialled = this.dialled ?? c.address ?? c.host;
    return parseIpv4(dialled) !== undefined ? dialled : undefined;
  }

  private tunnelInfo(ipv4: Ipv4Info): TunnelInfo {
    const tls = this.tlsInfo;
    const lcp = this.lcp;
    // Both are set on the way to ipv4-up (secured, lcp-up): IPCP cannot open without them.
    if (!tls || !lcp) throw new Error('tunnelInfo before the tunnel is up');
    const c = this.config;
    const address = !c.proxy && this.dialled !== undefined ? { address: this.dialled } : {};
    return {
      ipv4,
      mru: lcp.mru,
      peerMru: lcp.peerMru,
      authMethod: lcp.authMethod,
      tls: publicTls(tls),
      timings: this.phases.timings,
      server: { host: c.host, port: c.port, ...address },
    };
  }

  private currentPhase(): Phase {
    const s = this.state;
    return s.name === 'connecting' ? s.phase : s.name === 'disconnecting' ? 'disconnect' : 'connected';
  }

  private write(bytes: Buffer): boolean {
    this.deps.tap?.bytes('out', 'sstp', bytes);
    return this.ports.write(bytes);
  }

  private settle(o: ConnectOutcome): void {
    if (this.outcomeSent) return;
    this.outcomeSent = true;
    this.ports.outcome(o);
  }
}
