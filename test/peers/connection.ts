// One client connection to the strict peer: HTTP handshake, SSTP call control, PPP dispatch, the
// ordering rules (authentication → CALL_CONNECTED → IPCP/IP), keepalives and scripted faults. The
// network phase itself (NCPs, echo answers, router advertisement) is network-phase.ts.
import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { encodeFrame, decodeFrame } from '../../main/engine/ppp/frame.js';
import {
  PPP_CCP,
  PPP_CHAP,
  PPP_EAP,
  PPP_IPCP,
  PPP_IPV4,
  PPP_IPV6,
  PPP_IPV6CP,
  PPP_LCP,
  PPP_PAP,
  protocolName,
} from '../../main/engine/ppp/protocols.js';
import { statusName, type StatusName } from '../../main/engine/sstp/constants.js';
import {
  bareMessage,
  callAbort,
  callConnectAck,
  callConnectNak,
  callDisconnect,
  decodeControlPacket,
  encodeControlPacket,
  findAttribute,
  statusInfo,
  type ControlMessage,
} from '../../main/engine/sstp/control-packet.js';
import { SstpDeframer, type FramedPacket } from '../../main/engine/sstp/deframer.js';
import { encodeDataPacket } from '../../main/engine/sstp/header.js';
import { createAuthServer, type AuthOutcome, type AuthServer } from './auth-server.js';
import { verifyBinding } from './binding-verifier.js';
import type { EventLog } from './events.js';
import { buildResponse, ClientRequestReader, judgeRequest } from './http-request.js';
import { LcpServer } from './lcp-server.js';
import { writeFlood } from './flood.js';
import { malformedBytes } from './malformed.js';
import { NetworkPhase } from './network-phase.js';
import type { PeerLink } from './peer-link.js';
import type { FaultAction, FaultPoint, FloodSpec, PeerAuthMethod, PeerScript } from './script.js';

export interface ConnectionContext {
  readonly script: PeerScript;
  readonly log: EventLog;
  readonly certDer: Buffer;
  readonly ipv6cpReleased: () => boolean;
}

/** How long the peer lingers after its own CALL_ABORT/CALL_DISCONNECT before closing (MS-SSTP §3.1.2). */
const CLOSE_LINGER_MS = 500;

export class PeerConnection implements PeerLink {
  readonly script: PeerScript;
  readonly log: EventLog;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly reader = new ClientRequestReader();
  private readonly deframer = new SstpDeframer();
  private httpDone = false;
  private connectRequests = 0;
  private nonce: Buffer | undefined;
  private lcp: LcpServer | undefined;
  private auth: { readonly method: PeerAuthMethod; readonly server: AuthServer } | undefined;
  private authenticated: (AuthOutcome & { ok: true }) | undefined;
  private callConnected: 'no' | 'ok' | 'bad' = 'no';
  private readonly network: NetworkPhase;
  private silent = false;
  /** Set once a flood is written: the next ECHO_RESPONSE shows the client has read all of it. */
  private floodBarrier = false;
  private ending = false;
  private disconnectSent = false;
  private closed = false;
  private closeReason: string | undefined;

  constructor(
    private readonly socket: TLSSocket,
    private readonly ctx: ConnectionContext,
  ) {
    this.script = ctx.script;
    this.log = ctx.log;
    this.network = new NetworkPhase(this, {
      ipv6cpReleased: ctx.ipv6cpReleased,
      protocolReject: (protocol, info) => this.lcp?.protocolReject(protocol, info),
      ipcpOpened: () => this.fire('ipcp-opened'),
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => (this.closeReason ??= `socket error: ${err.message}`));
    socket.on('close', () => this.onClose());
  }

  /** Tear down now (peer stop). */
  destroy(): void {
    this.closeReason ??= 'peer stopped';
    this.socket.destroy();
    this.clearTimers();
  }

  /** The test let IPv6CP go ('hold' mode): start ours and answer what the client sent meanwhile. */
  releaseIpv6cp(): void {
    if (!this.closed) this.network.releaseIpv6cp();
  }

  // --- PeerLink ---

  sendPpp(protocol: number, info: Buffer, summary: string): void {
    if (!this.canSend()) return;
    this.log.record({ kind: 'ppp-sent', protocol, summary });
    this.write(encodeDataPacket(encodeFrame(protocol, info)));
  }

  sendControl(msg: ControlMessage): void {
    if (!this.canSend()) return;
    this.log.record({ kind: 'sstp-sent', message: msg.type });
    this.write(encodeControlPacket(msg));
  }

  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  violation(reason: string, fatal: boolean, status: StatusName = 'UNACCEPTED_FRAME_RECEIVED'): void {
    this.log.violation(reason);
    if (fatal) this.serverAbort(status, reason);
  }

  terminate(reason: string): void {
    if (this.ending) return;
    this.log.record({ kind: 'fault', action: `server terminates: ${reason}` });
    this.lcp?.terminate();
    this.sendDisconnect();
  }

  // --- transport ---

  private canSend(): boolean {
    return !this.closed && !this.silent && !this.socket.destroyed && this.socket.writable;
  }

  private write(bytes: Buffer): void {
    if (this.canSend()) this.socket.write(bytes);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.silent) {
      this.observeSilently(chunk);
      return;
    }
    if (!this.httpDone) {
      this.onHttp(chunk);
      return;
    }
    this.onSstp(chunk);
  }

  /** A silent peer answers nothing but still testifies to what the client sent (e.g. its echoes). */
  private observeSilently(chunk: Buffer): void {
    if (!this.httpDone) return;
    const r = this.deframer.push(chunk);
    for (const p of r.packets) {
      if (p.kind !== 'control') continue;
      const decoded = decodeControlPacket(p.packet);
      if (decoded.ok) this.log.record({ kind: 'sstp-received', message: decoded.value.type });
    }
  }

  private onHttp(chunk: Buffer): void {
    const p = this.reader.push(chunk);
    if (!p.done) return;
    this.httpDone = true;
    if ('error' in p) {
      this.log.violation(`HTTP: ${p.error}`);
      this.end('bad HTTP request');
      return;
    }
    const req = p.request;
    const host = req.headers.get('host');
    const correlationId = req.headers.get('sstpcorrelationid');
    this.log.record({
      kind: 'http-request',
      requestLine: req.requestLine,
      ...(host !== undefined ? { host } : {}),
      ...(correlationId !== undefined ? { correlationId } : {}),
    });
    const problems = judgeRequest(req, this.script.http);
    for (const problem of problems) this.log.violation(`HTTP: ${problem}`);
    if (problems.length > 0) {
      this.write(Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n', 'latin1'));
      this.end('refused the HTTP request');
      return;
    }
    this.write(buildResponse(this.script.http));
    if (this.script.http.status !== 200) {
      this.end(`answered HTTP ${this.script.http.status}`);
      return;
    }
    this.fire('http');
    if (req.rest.length > 0) this.onSstp(req.rest);
  }

  private onSstp(chunk: Buffer): void {
    const r = this.deframer.push(chunk);
    for (const p of r.packets) {
      if (this.closed || this.silent) return;
      this.onPacket(p);
    }
    if (!r.ok) this.violation(`client sent bytes that are not SSTP: ${r.error.field}: ${r.error.reason}`, false);
    if (!r.ok) this.end('unframeable stream from the client');
  }

  private onPacket(p: FramedPacket): void {
    if (p.kind === 'control') {
      this.onControl(p.packet);
      return;
    }
    if (this.nonce === undefined) {
      this.violation('PPP data before CALL_CONNECT_ACK', true);
      return;
    }
    const frame = decodeFrame(p.frame);
    if (!frame.ok) {
      this.violation(
        `malformed PPP frame: ${frame.error.field}: ${frame.error.reason}`,
        true,
        'INVALID_FRAME_RECEIVED',
      );
      return;
    }
    this.onPpp(frame.value.protocol, frame.value.info);
  }

  // --- SSTP call control ---

  private onControl(packet: Buffer): void {
    const decoded = decodeControlPacket(packet);
    if (!decoded.ok) {
      this.violation(
        `malformed SSTP control packet: ${decoded.error.field}: ${decoded.error.reason}`,
        true,
        'INVALID_FRAME_RECEIVED',
      );
      return;
    }
    const msg = decoded.value;
    const status = findAttribute(msg, 'STATUS_INFO')?.status;
    this.log.record({ kind: 'sstp-received', message: msg.type, ...(status !== undefined ? { status } : {}) });
    switch (msg.type) {
      case 'CALL_CONNECT_REQUEST':
        this.onConnectRequest(msg);
        return;
      case 'CALL_CONNECTED':
        this.onCallConnected(packet);
        return;
      case 'ECHO_REQUEST':
        if (this.script.sstp.answerEcho) this.sendControl(bareMessage('ECHO_RESPONSE'));
        return;
      case 'ECHO_RESPONSE':
        if (this.floodBarrier) {
          this.floodBarrier = false;
          this.log.record({ kind: 'fault', action: 'flood-read' });
        }
        return;
      case 'CALL_ABORT':
        // MS-SSTP §3.2.2.2: answer an abort with our own, then close.
        if (!this.ending) this.sendControl(callAbort(statusInfo('NO_ERROR')));
        this.end(`client aborted (${statusName(status ?? -1) ?? status})`);
        return;
      case 'CALL_DISCONNECT':
        this.sendControl(bareMessage('CALL_DISCONNECT_ACK'));
        this.end('client disconnected');
        return;
      case 'CALL_DISCONNECT_ACK':
        if (!this.disconnectSent) this.violation('CALL_DISCONNECT_ACK without our CALL_DISCONNECT', false);
        this.end('client acknowledged our CALL_DISCONNECT');
        return;
      default:
        this.violation(`client sent ${msg.type}, a server's message`, true);
    }
  }

  private onConnectRequest(msg: ControlMessage): void {
    this.connectRequests++;
    if (this.nonce !== undefined) {
      this.violation('CALL_CONNECT_REQUEST after the call was accepted', true);
      return;
    }
    const proto = findAttribute(msg, 'ENCAPSULATED_PROTOCOL_ID');
    if (proto === undefined || proto.protocolId !== 1 || msg.attributes.length !== 1) {
      this.violation('CALL_CONNECT_REQUEST must carry exactly ENCAPSULATED_PROTOCOL_ID = 1 (PPP)', false);
    }
    if (this.connectRequests <= this.script.sstp.naks) {
      this.sendControl(callConnectNak([statusInfo('VALUE_NOT_SUPPORTED', 1, Buffer.of(0, 1))]));
      return;
    }
    this.nonce = randomBytes(32);
    this.sendControl(callConnectAck(this.script.sstp.hashBitmask, this.nonce));
    this.lcp = new LcpServer(this, {
      opened: (method) => this.onLcpOpened(method),
      terminated: () => this.log.record({ kind: 'fault', action: 'client terminated LCP' }),
    });
    this.lcp.start();
    this.fire('connect-ack');
  }

  private onCallConnected(packet: Buffer): void {
    const enforce = this.script.binding.mode === 'enforce';
    if (this.callConnected !== 'no') {
      this.violation('a second CALL_CONNECTED', false);
      return;
    }
    if (this.authenticated === undefined || this.nonce === undefined) {
      this.callConnected = 'bad';
      this.log.record({ kind: 'call-connected', ok: false, reason: 'before PPP authentication succeeded' });
      this.violation('CALL_CONNECTED before PPP authentication succeeded', enforce);
      return;
    }
    const verdict = verifyBinding(packet, {
      hlak: this.authenticated.hlak,
      nonce: this.nonce,
      certDer: this.ctx.certDer,
      offeredBitmask: this.script.sstp.hashBitmask,
    });
    this.log.record({
      kind: 'call-connected',
      ok: verdict.ok,
      ...(verdict.hash ? { hash: verdict.hash } : {}),
      ...(verdict.ok ? {} : { reason: verdict.reason }),
    });
    if (!verdict.ok) {
      this.callConnected = 'bad';
      this.violation(`crypto binding: ${verdict.reason}`, enforce, 'VALUE_NOT_SUPPORTED');
      if (enforce) return;
    } else this.callConnected = 'ok';
    const every = this.script.sstp.echoIntervalMs;
    if (every > 0) this.repeat(every, () => this.sendControl(bareMessage('ECHO_REQUEST')));
    this.fire('call-connected');
    if (this.script.binding.holdNcpUntilCallConnected) this.network.start();
  }

  // --- PPP ---

  private onLcpOpened(method: PeerAuthMethod): void {
    const every = this.script.sstp.lcpEchoIntervalMs;
    if (every > 0) this.repeat(every, () => this.lcp?.sendEchoRequest());
    this.fire('lcp-opened');
    const server = createAuthServer(method, this, (o) => this.onAuthenticated(method, o));
    this.auth = { method, server };
    server.start();
  }

  private onAuthenticated(method: PeerAuthMethod, o: AuthOutcome): void {
    this.log.record({ kind: 'auth-result', method, ok: o.ok, user: o.user, ...(o.ok ? {} : { why: o.why }) });
    if (!o.ok) {
      this.terminate('authentication failed');
      return;
    }
    this.authenticated = o;
    this.fire('authenticated');
    if (!this.script.binding.holdNcpUntilCallConnected) this.network.start();
  }

  private onPpp(protocol: number, info: Buffer): void {
    switch (protocol) {
      case PPP_LCP:
        this.lcp?.receive(info);
        return;
      case PPP_PAP:
      case PPP_CHAP:
      case PPP_EAP:
        if (this.auth?.server.protocol !== protocol) {
          this.log.record({ kind: 'ppp-received', protocol, summary: `${protocolName(protocol)} (unexpected)` });
          this.violation(`${protocolName(protocol)} packet outside the agreed authentication`, false);
          return;
        }
        this.auth.server.receive(info);
        return;
      case PPP_IPCP:
      case PPP_IPV6CP:
      case PPP_IPV4:
      case PPP_IPV6:
        if (this.networkAllowed(protocol)) this.network.receive(protocol, info);
        return;
      case PPP_CCP:
        this.log.record({ kind: 'ppp-received', protocol, summary: 'CCP' });
        this.violation('the client negotiates CCP; SSTP needs no PPP compression or MPPE', false);
        this.lcp?.protocolReject(protocol, info);
        return;
      default:
        this.log.record({ kind: 'ppp-received', protocol, summary: protocolName(protocol) });
        this.lcp?.protocolReject(protocol, info);
    }
  }

  /** MS-SSTP §3.2.5.2: the binding must be proven before network-layer traffic. */
  private networkAllowed(protocol: number): boolean {
    const name = protocolName(protocol);
    if (this.authenticated === undefined) {
      this.log.record({ kind: 'ppp-received', protocol, summary: `${name} (before authentication)` });
      this.violation(`${name} before PPP authentication succeeded`, true);
      return false;
    }
    if (this.callConnected === 'no') {
      this.log.record({ kind: 'ppp-received', protocol, summary: `${name} (before CALL_CONNECTED)` });
      const enforce = this.script.binding.mode === 'enforce';
      this.violation(`${name} before CALL_CONNECTED`, enforce);
      return !enforce;
    }
    return this.callConnected === 'ok' || this.script.binding.mode === 'record';
  }

  // --- faults, timers, teardown ---

  private fire(point: FaultPoint): void {
    for (const f of this.script.faults) {
      if (f.at !== point) continue;
      // Without a delay the fault happens right here, so no client packet can slip in before it.
      if ((f.afterMs ?? 0) === 0) this.runFault(f.action);
      else this.after(f.afterMs ?? 0, () => this.runFault(f.action));
    }
  }

  private runFault(a: FaultAction): void {
    this.log.record({
      kind: 'fault',
      action: a.kind === 'malformed' ? `malformed ${a.which}` : a.kind === 'abort' ? `abort ${a.status}` : a.kind,
    });
    switch (a.kind) {
      case 'malformed':
        this.write(malformedBytes(a.which));
        return;
      case 'raw':
        this.write(a.bytes);
        return;
      case 'silence':
        this.silent = true;
        return;
      case 'abort':
        this.serverAbort(a.status, 'scripted abort');
        return;
      case 'disconnect':
        this.sendDisconnect();
        return;
      case 'drop':
        this.closeReason ??= 'peer dropped the connection';
        this.socket.destroy();
        return;
      case 'lcp-renegotiate':
        this.lcp?.renegotiate();
        return;
      case 'flood':
        void this.flood(a.flood);
        return;
      case 'fuzz':
        for (const frame of a.frames()) this.write(frame);
        this.sendControl(bareMessage('ECHO_REQUEST'));
        return;
    }
  }

  /** The flood as fast as TCP drains, then an echo as a barrier: the client answers it only after reading all. */
  private async flood(spec: FloodSpec): Promise<void> {
    const bytes = await writeFlood(this.socket, spec, () => this.canSend());
    if (bytes === undefined) return;
    this.log.record({ kind: 'fault', action: `flood-sent ${bytes} bytes` });
    if (!this.canSend()) return;
    this.floodBarrier = true;
    this.sendControl(bareMessage('ECHO_REQUEST'));
  }

  private serverAbort(status: StatusName, why: string): void {
    if (this.ending) return;
    this.sendControl(callAbort(statusInfo(status)));
    this.ending = true;
    this.closeReason ??= `peer aborted: ${why}`;
    // Wait for the client's answering CALL_ABORT (onControl ends then), or linger and close.
    this.after(CLOSE_LINGER_MS * 4, () => this.end(`peer aborted: ${why}`));
  }

  private sendDisconnect(): void {
    if (this.ending) return;
    this.sendControl(callDisconnect());
    this.ending = true;
    this.disconnectSent = true;
    this.after(CLOSE_LINGER_MS * 4, () => this.end('no CALL_DISCONNECT_ACK'));
  }

  private repeat(ms: number, fn: () => void): void {
    this.after(ms, () => {
      fn();
      this.repeat(ms, fn);
    });
  }

  private end(reason: string): void {
    this.closeReason ??= reason;
    this.ending = true;
    if (!this.socket.destroyed) this.socket.end();
    this.after(CLOSE_LINGER_MS, () => this.socket.destroy());
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    this.log.record({ kind: 'closed', reason: this.closeReason ?? 'client closed the connection' });
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
