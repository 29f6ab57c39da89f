// The client side of SSTP call control (MS-SSTP §3.1.1, §3.2): connect request/ack/nak, crypto
// binding hand-off, disconnect and abort; the hello keepalive and probes are in control-keepalive.ts.
// Pure and event-driven: bytes leave through `send`, time comes from the injected Clock, results leave
// as events. The session owns the sockets.
//
// Teardown timing: a failure is reported the moment it is known (`failed`), and `closed` tells the
// session when the socket may go. After our own CALL_ABORT we wait for the server's CALL_ABORT, at most
// abortMs (3 s, §3.1.2.1), so the server sees our status in order; the user is not kept waiting, since
// `failed` came first. When the server aborts or disconnects, we answer and are closed at once: TLS
// delivers the answer before the close, so the spec's 1 s linger would add nothing.
import type { Clock, TimerHandle } from '../clock.js';
import type { DecodeError } from '../bytes.js';
import type { SessionFailure } from '../failure.js';
import type { Logger } from '../log.js';
import type { StatusName } from './constants.js';
import {
  bareMessage,
  callAbort,
  callConnectRequest,
  callDisconnect,
  decodeControlPacket,
  encodeControlPacket,
  findAttribute,
  statusInfo,
  type ControlMessage,
} from './control-packet.js';
import { buildCallConnected, chooseBindingHash, type BindingHash } from './crypto-binding.js';
import * as failures from './control-failures.js';
import { SstpKeepalive } from './control-keepalive.js';
import { completeTimers, DEFAULT_CONNECT_RETRIES, type SstpTimers } from './control-timers.js';
import { describeControl, describeStatus } from './trace.js';

export { DEFAULT_CONNECT_RETRIES, DEFAULT_SSTP_TIMERS, type SstpTimers } from './control-timers.js';

export type SstpControlEvent =
  /** The server accepted the call: start PPP, and keep `hash`/`nonce` for CALL_CONNECTED. */
  | { readonly type: 'connect-ack'; readonly hash: BindingHash; readonly hashBitmask: number; readonly nonce: Buffer }
  /** Fatal for the session, emitted once. SSTP teardown continues; `closed` follows. */
  | { readonly type: 'failed'; readonly failure: SessionFailure }
  /** SSTP has nothing more to send or wait for: the session may close the transport. Emitted once. */
  | { readonly type: 'closed' };

export interface SstpControlOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** Writes one complete SSTP packet to the TLS stream. */
  readonly send: (packet: Buffer) => void;
  readonly onEvent: (event: SstpControlEvent) => void;
  readonly timers?: Partial<SstpTimers>;
  readonly connectRetries?: number;
}

type State =
  | { readonly name: 'idle' }
  | { readonly name: 'connect-sent'; readonly requests: number }
  | { readonly name: 'ack-received'; readonly hash: BindingHash; readonly nonce: Buffer }
  | { readonly name: 'connected' }
  | { readonly name: 'disconnecting' }
  | { readonly name: 'aborting' }
  | { readonly name: 'done' };

export type SstpControlStateName = State['name'];

export class SstpClientControl {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timers: SstpTimers;
  private readonly connectRetries: number;
  private state: State = { name: 'idle' };
  /** After stop(), nothing is sent and no event is emitted. */
  private stopped = false;
  private negotiationTimer: TimerHandle | undefined;
  private closingTimer: TimerHandle | undefined;
  private readonly keepalive: SstpKeepalive;

  constructor(private readonly opts: SstpControlOptions) {
    this.clock = opts.clock;
    this.log = opts.log;
    this.timers = completeTimers(opts.timers);
    this.connectRetries = opts.connectRetries ?? DEFAULT_CONNECT_RETRIES;
    this.keepalive = new SstpKeepalive({
      clock: this.clock,
      intervalMs: this.timers.helloIntervalMs,
      sendEcho: () => this.sendMessage(bareMessage('ECHO_REQUEST')),
      // No status names "keepalive timeout"; the peer is unlikely to read it anyway.
      onDead: (f) => this.failWithAbort('NO_ERROR', f),
    });
  }

  get stateName(): SstpControlStateName {
    return this.state.name;
  }

  /** Sends CALL_CONNECT_REQUEST (protocol PPP) and arms the negotiation timer. */
  start(): void {
    if (this.state.name !== 'idle') {
      this.log.warn(`SSTP start() ignored in state ${this.state.name}`);
      return;
    }
    this.keepalive.noteReceive();
    this.sendConnectRequest(1);
  }

  /** Any received packet, data or control, proves the peer alive. Cheap: called on the data path. */
  noteReceive(): void {
    this.keepalive.noteReceive();
  }

  /** One decoded control message from the server (notes the receive itself). */
  receiveControl(msg: ControlMessage): void {
    if (this.stopped) return;
    this.noteReceive();
    this.log.debug(`recv [${describeControl(msg)}]`);
    const s = this.state;
    switch (s.name) {
      case 'done':
        return;
      case 'aborting':
        // §3.1.2.1: only the peer's CALL_ABORT matters now.
        if (msg.type === 'CALL_ABORT') this.finish('the server answered our CALL_ABORT');
        return;
      case 'disconnecting':
        if (msg.type === 'CALL_DISCONNECT_ACK') this.finish('the server acknowledged CALL_DISCONNECT');
        else if (msg.type === 'CALL_DISCONNECT') {
          this.sendMessage(bareMessage('CALL_DISCONNECT_ACK'));
          this.finish('both sides sent CALL_DISCONNECT');
        } else if (msg.type === 'CALL_ABORT') this.finish('the server aborted while we were disconnecting');
        return;
      case 'idle':
        // No call yet, so nothing to abort; the session should not feed us before start().
        this.log.warn(`SSTP ${msg.type} ignored before start()`);
        return;
      case 'connect-sent':
      case 'ack-received':
      case 'connected':
        break;
    }
    switch (msg.type) {
      case 'ECHO_REQUEST':
        this.sendMessage(bareMessage('ECHO_RESPONSE'));
        return;
      case 'ECHO_RESPONSE':
        this.keepalive.echoResponse();
        return;
      case 'CALL_ABORT':
        this.peerAbort(msg);
        return;
      case 'CALL_DISCONNECT':
        this.peerDisconnect();
        return;
      case 'CALL_CONNECT_ACK':
        if (s.name === 'connect-sent') this.connectAck(msg);
        else this.unexpected(msg);
        return;
      case 'CALL_CONNECT_NAK':
        if (s.name === 'connect-sent') this.connectNak(msg, s.requests);
        else this.unexpected(msg);
        return;
      default:
        this.unexpected(msg);
    }
  }

  /** A control packet that failed to decode: abort with INVALID_FRAME_RECEIVED. */
  receiveMalformed(error: DecodeError): void {
    if (!this.isActive()) return;
    this.failWithAbort('INVALID_FRAME_RECEIVED', failures.malformedControl(error));
  }

  /**
   * PPP authentication succeeded: send CALL_CONNECTED with the crypto binding, start the hello timer.
   * Returns false (and sends nothing) unless the call is waiting for exactly this.
   */
  sendCallConnected(hlak: Buffer, certDer: Buffer): boolean {
    const s = this.state;
    if (s.name !== 'ack-received' || this.stopped) {
      this.log.warn(`SSTP CALL_CONNECTED not sent in state ${s.name}`);
      return false;
    }
    const packet = buildCallConnected({ hlak, nonce: s.nonce, certDer, hash: s.hash });
    this.cancelNegotiation();
    this.state = { name: 'connected' };
    this.sendPacket(packet);
    this.keepalive.start();
    return true;
  }

  /**
   * Checks the peer now (after a resume, a frozen process or a network change): an ECHO_REQUEST that
   * must be answered by an ECHO_RESPONSE within timeoutMs, or the call fails as a dead peer. Only the
   * response counts: bytes read right after a resume may have been queued before it. Resolves true
   * when answered, false when the call is not up or the peer did not answer (`failed` then follows).
   */
  probe(timeoutMs: number): Promise<boolean> {
    if (this.state.name !== 'connected' || this.stopped) return Promise.resolve(false);
    return this.keepalive.probe(timeoutMs);
  }

  /** A clean, user-requested end: CALL_DISCONNECT, then `closed` on the ack or after disconnectMs. */
  disconnect(): void {
    if (this.stopped) return;
    if (this.state.name === 'idle') {
      this.finish('disconnect before start');
      return;
    }
    if (!this.isActive()) return;
    this.cancelAll();
    this.state = { name: 'disconnecting' };
    this.sendMessage(callDisconnect());
    this.closingTimer = this.clock.after(this.timers.disconnectMs, () =>
      this.finish(`no CALL_DISCONNECT_ACK within ${this.timers.disconnectMs} ms`),
    );
  }

  /**
   * The session's fatal path (it already holds the failure): CALL_ABORT with `status`, then `closed`
   * when the server answers with its own CALL_ABORT or after abortMs, whichever comes first.
   */
  abort(status: StatusName = 'NO_ERROR'): void {
    if (this.stopped) return;
    if (this.state.name === 'idle') {
      this.finish('abort before start');
      return;
    }
    if (!this.isActive()) return;
    this.enterAborting(status);
    this.armAbortWait();
  }

  /** Cancel every timer; nothing is sent or emitted afterwards (transport already gone). */
  stop(): void {
    this.stopped = true;
    this.cancelAll();
    this.state = { name: 'done' };
  }

  // --- call establishment ---

  private sendConnectRequest(requests: number): void {
    this.state = { name: 'connect-sent', requests };
    this.sendMessage(callConnectRequest());
    this.armNegotiation();
  }

  private connectAck(msg: ControlMessage): void {
    this.cancelNegotiation();
    const req = findAttribute(msg, 'CRYPTO_BINDING_REQ');
    if (req === undefined) {
      this.failWithAbort('REQUIRED_ATTRIBUTE_MISSING', failures.missingBindingRequest());
      return;
    }
    const hash = chooseBindingHash(req.hashBitmask);
    if (hash === undefined) {
      this.failWithAbort('VALUE_NOT_SUPPORTED', failures.noSupportedHash(req.hashBitmask));
      return;
    }
    this.state = { name: 'ack-received', hash, nonce: Buffer.from(req.nonce) };
    this.armNegotiation();
    this.log.debug(`SSTP crypto binding will use ${hash === 'sha256' ? 'SHA-256' : 'SHA-1'}`);
    this.emit({ type: 'connect-ack', hash, hashBitmask: req.hashBitmask, nonce: Buffer.from(req.nonce) });
  }

  private connectNak(msg: ControlMessage, requests: number): void {
    this.cancelNegotiation();
    const reasons = msg.attributes
      .filter((a) => a.kind === 'STATUS_INFO')
      .map((a) => describeStatus(a.status, a.attribId));
    const why = reasons.length > 0 ? reasons.join('; ') : 'no reason given';
    if (requests > this.connectRetries) {
      this.failWithAbort('RETRY_COUNT_EXCEEDED', failures.connectRefused(requests, why));
      return;
    }
    this.log.info(`SSTP server refused the call request (${why}); retrying`);
    this.sendConnectRequest(requests + 1);
  }

  private armNegotiation(): void {
    this.negotiationTimer?.cancel();
    this.negotiationTimer = this.clock.after(this.timers.negotiationMs, () => {
      this.negotiationTimer = undefined;
      const waitingForAck = this.state.name === 'connect-sent';
      this.failWithAbort('NEGOTIATION_TIMEOUT', failures.negotiationTimeout(waitingForAck, this.timers.negotiationMs));
    });
  }

  // --- teardown ---

  private peerAbort(msg: ControlMessage): void {
    const status = findAttribute(msg, 'STATUS_INFO');
    const words = status === undefined ? 'no reason given' : describeStatus(status.status, status.attribId);
    this.cancelAll();
    this.state = { name: 'done' };
    // §3.1.2.1: the far end answers a CALL_ABORT with its own.
    this.sendMessage(callAbort(statusInfo('NO_ERROR')));
    this.emit({ type: 'failed', failure: failures.peerAbort(words) });
    this.emit({ type: 'closed' });
  }

  private peerDisconnect(): void {
    this.cancelAll();
    this.state = { name: 'done' };
    this.sendMessage(bareMessage('CALL_DISCONNECT_ACK'));
    this.emit({ type: 'failed', failure: failures.peerDisconnect() });
    this.emit({ type: 'closed' });
  }

  private unexpected(msg: ControlMessage): void {
    this.failWithAbort('UNACCEPTED_FRAME_RECEIVED', failures.unexpectedMessage(msg.type, this.state.name));
  }

  /** Our own fatal path: CALL_ABORT, report the failure now, close when the abort handshake ends. */
  private failWithAbort(status: StatusName, f: SessionFailure): void {
    this.enterAborting(status);
    this.emit({ type: 'failed', failure: f });
    // The session may have called stop() from its event handler.
    if (this.state.name === 'aborting') this.armAbortWait();
  }

  private enterAborting(status: StatusName): void {
    this.cancelAll();
    this.state = { name: 'aborting' };
    this.sendMessage(callAbort(statusInfo(status)));
  }

  private armAbortWait(): void {
    if (this.timers.abortMs <= 0) {
      this.finish('abort sent');
      return;
    }
    this.closingTimer = this.clock.after(this.timers.abortMs, () =>
      this.finish(`no CALL_ABORT from the server within ${this.timers.abortMs} ms`),
    );
  }

  private finish(reason: string): void {
    this.cancelAll();
    this.state = { name: 'done' };
    this.log.debug(`SSTP call closed: ${reason}`);
    this.emit({ type: 'closed' });
  }

  // --- plumbing ---

  private isActive(): boolean {
    const n = this.state.name;
    return !this.stopped && (n === 'connect-sent' || n === 'ack-received' || n === 'connected');
  }

  private sendMessage(msg: ControlMessage): void {
    if (this.stopped) return;
    this.log.debug(`send [${describeControl(msg)}]`);
    this.opts.send(encodeControlPacket(msg));
  }

  private sendPacket(packet: Buffer): void {
    if (this.stopped) return;
    const decoded = decodeControlPacket(packet);
    this.log.debug(`send [${decoded.ok ? describeControl(decoded.value) : 'SSTP control packet'}]`);
    this.opts.send(packet);
  }

  private emit(event: SstpControlEvent): void {
    if (!this.stopped) this.opts.onEvent(event);
  }

  private cancelNegotiation(): void {
    this.negotiationTimer?.cancel();
    this.negotiationTimer = undefined;
  }

  private cancelAll(): void {
    this.keepalive.stop();
    this.negotiationTimer?.cancel();
    this.closingTimer?.cancel();
    this.negotiationTimer = this.closingTimer = undefined;
  }
}
