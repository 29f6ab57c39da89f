// A socket-free SSTP server for the sequencer's unit tests, made of the real codecs and the strict
// peer's pure pieces (LcpServer, the authenticators, IpcpServer/Ipv6cpServer, the independent
// crypto-binding verifier, the ICMP responder): bytes from the client go into fromClient(), the
// answers queue up for take(). Time is its own ManualClock, so the client's clock can be checked
// for leftover timers on its own. `holdAt` makes it stop answering in one client phase.
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../../../main/engine/clock.js';
import { decodeFrame, encodeFrame } from '../../../../main/engine/ppp/frame.js';
import {
  PPP_CHAP,
  PPP_EAP,
  PPP_IPCP,
  PPP_IPV4,
  PPP_IPV6CP,
  PPP_LCP,
  PPP_PAP,
} from '../../../../main/engine/ppp/protocols.js';
import {
  bareMessage,
  callAbort,
  callConnectAck,
  decodeControlPacket,
  encodeControlPacket,
  findAttribute,
  statusInfo,
  type ControlMessage,
} from '../../../../main/engine/sstp/control-packet.js';
import { SstpDeframer } from '../../../../main/engine/sstp/deframer.js';
import { encodeDataPacket } from '../../../../main/engine/sstp/header.js';
import { createAuthServer, type AuthOutcome, type AuthServer } from '../../../peers/auth-server.js';
import { verifyBinding } from '../../../peers/binding-verifier.js';
import { EventLog } from '../../../peers/events.js';
import { ClientRequestReader, buildResponse } from '../../../peers/http-request.js';
import { answerEcho } from '../../../peers/icmp-responder.js';
import { LcpServer } from '../../../peers/lcp-server.js';
import { IpcpServer, Ipv6cpServer } from '../../../peers/ncp-servers.js';
import type { PeerLink } from '../../../peers/peer-link.js';
import { resolveScript, type PartialScript, type PeerAuthMethod, type PeerScript } from '../../../peers/script.js';

/** The client phase in which the server goes quiet (it still reads, and records, what arrives). */
export type HoldAt = 'http' | 'sstp' | 'lcp' | 'auth' | 'ipcp';

export class WireServer implements PeerLink {
  readonly script: PeerScript;
  readonly log = new EventLog();
  readonly clock = new ManualClock();
  /** IPv4 packets the client sent through the tunnel. */
  readonly ipReceived: Buffer[] = [];
  private readonly out: Buffer[] = [];
  private readonly reader = new ClientRequestReader();
  private readonly deframer = new SstpDeframer();
  private httpDone = false;
  private nonce: Buffer | undefined;
  private lcp: LcpServer | undefined;
  private auth: AuthServer | undefined;
  private authenticated: (AuthOutcome & { ok: true }) | undefined;
  private ipcp: IpcpServer | undefined;
  private ipv6cp: Ipv6cpServer | undefined;
  private ended = false;

  constructor(
    private readonly certDer: Buffer,
    private readonly holdAt?: HoldAt,
    script: PartialScript = {},
  ) {
    this.script = resolveScript(script);
  }

  /** Bytes the server has for the client since the last take(), as one chunk (empty: nothing). */
  take(): Buffer {
    return Buffer.concat(this.out.splice(0));
  }

  /** Queues raw bytes for the client (malformed input). */
  inject(bytes: Buffer): void {
    this.out.push(bytes);
  }

  /** Sends a control message now, whatever the phase (a server abort or disconnect). */
  send(msg: ControlMessage): void {
    this.sendControl(msg);
  }

  fromClient(bytes: Buffer): void {
    if (!this.httpDone) {
      const p = this.reader.push(bytes);
      if (!p.done) return;
      this.httpDone = true;
      if ('error' in p) return this.log.violation(`HTTP: ${p.error}`);
      this.log.record({ kind: 'http-request', requestLine: p.request.requestLine });
      if (this.holdAt === 'http') return;
      this.out.push(buildResponse(this.script.http));
      if (p.request.rest.length > 0) this.sstp(p.request.rest);
      return;
    }
    this.sstp(bytes);
  }

  // --- PeerLink ---

  sendPpp(protocol: number, info: Buffer, summary: string): void {
    if (this.ended) return;
    this.log.record({ kind: 'ppp-sent', protocol, summary });
    this.out.push(encodeDataPacket(encodeFrame(protocol, info)));
  }

  sendControl(msg: ControlMessage): void {
    if (this.ended) return;
    this.log.record({ kind: 'sstp-sent', message: msg.type });
    this.out.push(encodeControlPacket(msg));
  }

  after(ms: number, fn: () => void): void {
    this.clock.after(ms, () => {
      if (!this.ended) fn();
    });
  }

  violation(reason: string): void {
    this.log.violation(reason);
  }

  terminate(): void {
    this.lcp?.terminate();
    this.sendControl({ type: 'CALL_DISCONNECT', attributes: [statusInfo('NO_ERROR')] });
  }

  // --- the client's bytes ---

  private sstp(chunk: Buffer): void {
    const r = this.deframer.push(chunk);
    for (const p of r.packets) {
      if (p.kind === 'control') this.onControl(p.packet);
      else {
        const f = decodeFrame(p.frame);
        if (!f.ok) this.violation(`malformed PPP frame: ${f.error.reason}`);
        else this.onPpp(f.value.protocol, f.value.info);
      }
    }
    if (!r.ok) this.violation(`client sent bytes that are not SSTP: ${r.error.reason}`);
  }

  private onControl(packet: Buffer): void {
    const decoded = decodeControlPacket(packet);
    if (!decoded.ok) return this.violation(`malformed control packet: ${decoded.error.reason}`);
    const msg = decoded.value;
    const status = findAttribute(msg, 'STATUS_INFO')?.status;
    this.log.record({ kind: 'sstp-received', message: msg.type, ...(status !== undefined ? { status } : {}) });
    switch (msg.type) {
      case 'CALL_CONNECT_REQUEST':
        if (this.holdAt === 'sstp') return;
        this.nonce = randomBytes(32);
        this.sendControl(callConnectAck(this.script.sstp.hashBitmask, this.nonce));
        this.lcp = new LcpServer(this, {
          opened: (m) => this.lcpOpened(m),
          terminated: () => this.log.record({ kind: 'fault', action: 'client terminated LCP' }),
        });
        if (this.holdAt !== 'lcp') this.lcp.start();
        return;
      case 'CALL_CONNECTED':
        return this.callConnected(packet);
      case 'ECHO_REQUEST':
        return this.sendControl(bareMessage('ECHO_RESPONSE'));
      case 'CALL_ABORT':
        this.sendControl(callAbort(statusInfo('NO_ERROR')));
        this.ended = true;
        return;
      case 'CALL_DISCONNECT':
        this.sendControl(bareMessage('CALL_DISCONNECT_ACK'));
        this.ended = true;
        return;
      default:
        return;
    }
  }

  private callConnected(packet: Buffer): void {
    if (!this.authenticated || !this.nonce) return this.violation('CALL_CONNECTED before authentication');
    const verdict = verifyBinding(packet, {
      hlak: this.authenticated.hlak,
      nonce: this.nonce,
      certDer: this.certDer,
      offeredBitmask: this.script.sstp.hashBitmask,
    });
    this.log.record({ kind: 'call-connected', ok: verdict.ok, ...(verdict.ok ? {} : { reason: verdict.reason }) });
    if (!verdict.ok || this.holdAt === 'ipcp') return;
    (this.ipcp ??= new IpcpServer(this, () => {})).start();
    if (this.script.ipv6cp.mode === 'negotiate') (this.ipv6cp ??= new Ipv6cpServer(this, () => {})).start();
  }

  private lcpOpened(method: PeerAuthMethod): void {
    this.auth = createAuthServer(method, this, (o) => {
      this.log.record({ kind: 'auth-result', method, ok: o.ok, user: o.user });
      if (o.ok) this.authenticated = o;
    });
    this.auth.start();
  }

  private onPpp(protocol: number, info: Buffer): void {
    this.log.record({ kind: 'ppp-received', protocol, summary: `0x${protocol.toString(16)}` });
    switch (protocol) {
      case PPP_LCP:
        if (this.holdAt !== 'lcp') this.lcp?.receive(info);
        return;
      case PPP_PAP:
      case PPP_CHAP:
      case PPP_EAP:
        if (this.holdAt !== 'auth') this.auth?.receive(info);
        return;
      case PPP_IPCP:
        if (this.holdAt !== 'ipcp') (this.ipcp ??= new IpcpServer(this, () => {})).receive(info);
        return;
      case PPP_IPV6CP:
        if (this.script.ipv6cp.mode === 'negotiate') (this.ipv6cp ??= new Ipv6cpServer(this, () => {})).receive(info);
        return;
      case PPP_IPV4: {
        this.ipReceived.push(Buffer.from(info));
        const v = answerEcho(info, this.script.ipcp.serverAddress);
        if (v.kind === 'reply') this.sendPpp(PPP_IPV4, v.packet, 'IP ICMP echo reply');
        return;
      }
      default:
        this.lcp?.protocolReject(protocol, info);
    }
  }
}
