// A scripted stand-in for SstpSession: the test decides how connect() ends and when the tunnel drops.
import type { SessionFailure } from '../../../../main/engine/failure.js';
import type { LogSink } from '../../../../main/engine/log.js';
import type { ConnectOutcome, SessionEvent, TunnelInfo } from '../../../../main/engine/session.js';
import type { SessionConfig } from '../../../../main/engine/config.js';
import type { SessionLike } from '../../../../main/services/connections/ports.js';

export const TUNNEL: TunnelInfo = {
  ipv4: { local: '192.168.30.10', peer: '192.168.30.1', dns: ['192.168.30.1'] },
  mru: 1500,
  peerMru: 1500,
  authMethod: 'mschapv2',
  tls: {
    version: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    certificate: {
      subject: 'CN=x',
      issuer: 'CN=x',
      serialNumber: '01',
      validFrom: '2020-01-01T00:00:00Z',
      validTo: '2040-01-01T00:00:00Z',
      subjectAltNames: ['DNS:x'],
      sha256: 'AA:BB',
      selfSigned: true,
    },
  },
  timings: [{ phase: 'tcp', ms: 1 }],
};

export class FakeSession implements SessionLike {
  readonly sent: Buffer[] = [];
  /** Pre-framed SSTP data written by the packet pump (system data plane). */
  readonly framed: Buffer[] = [];
  ipv6Up = false;
  peerMru = 1500;
  private ipListeners = new Set<(p: Buffer) => void>();
  private eventListeners = new Set<(e: SessionEvent) => void>();
  private resolveClosed!: (f: SessionFailure | null) => void;
  readonly closed = new Promise<SessionFailure | null>((r) => (this.resolveClosed = r));
  private settle!: (o: ConnectOutcome) => void;

  constructor(
    readonly config: SessionConfig,
    readonly log: LogSink | undefined,
  ) {}

  connect(): Promise<ConnectOutcome> {
    this.log?.({
      time: 0,
      level: 'debug',
      phase: 'lcp',
      message: `send [LCP ConfReq id=0x1] user ${this.config.credentials.username}`,
    });
    return new Promise((r) => (this.settle = r));
  }
  succeed(info: TunnelInfo = TUNNEL): void {
    this.settle({ ok: true, info });
  }
  fail(f: SessionFailure): void {
    this.settle({ ok: false, failure: f, timings: [] });
    this.resolveClosed(f);
  }
  drop(f: SessionFailure): void {
    this.resolveClosed(f);
  }
  async disconnect(): Promise<void> {
    this.resolveClosed(null);
  }
  sendIp(packet: Buffer): boolean {
    this.sent.push(packet);
    return true;
  }
  receive(packet: Buffer): void {
    for (const l of this.ipListeners) l(packet);
  }
  onIpPacket(l: (p: Buffer) => void): () => void {
    this.ipListeners.add(l);
    return () => this.ipListeners.delete(l);
  }
  writeFramed(bytes: Buffer): boolean {
    this.framed.push(bytes);
    return true;
  }
  onDrain(cb: () => void): void {
    queueMicrotask(cb);
  }
  pauseReceive(): void {}
  resumeReceive(): void {}
  onEvent(l: (e: SessionEvent) => void): () => void {
    this.eventListeners.add(l);
    return () => this.eventListeners.delete(l);
  }
  emit(e: SessionEvent): void {
    for (const l of this.eventListeners) l(e);
  }
}
