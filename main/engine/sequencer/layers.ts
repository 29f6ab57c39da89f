// The protocol layers under the sequencer, wired together: the SSTP deframer with the IPv4 fast path,
// SSTP call control (sstp/control.ts) and the PPP link (ppp/link.ts). It turns bytes from the server
// into their events, and their packets into SSTP data packets for ports.write. It decides nothing
// about the session's phases: that is the sequencer's (sequencer.ts), told through LayerHooks.
import type { Clock, TimerHandle } from '../clock.js';
import { DEFAULT_AUTH_WAIT_MS, type SessionConfig } from '../config.js';
import type { Phase, SessionFailure } from '../failure.js';
import { phaseLogger, type LogSink } from '../log.js';
import { describeDecodeError } from '../bytes.js';
import type { StreamTap } from '../diagnostics/stream-tap.js';
import { isIpv4Frame } from '../datapath/ip-frame-header.js';
import type { AuthenticatorFactory } from '../ppp/auth/authenticator.js';
import { authenticatorFactoryFor, eapSetupOf } from '../ppp/auth/index.js';
import { PPP_HEADER_BYTES } from '../ppp/frame.js';
import { PppLink } from '../ppp/link.js';
import type { PppLinkEvent } from '../ppp/link-events.js';
import { decodeControlPacket } from '../sstp/control-packet.js';
import { SstpClientControl, type SstpControlEvent, type SstpTimers } from '../sstp/control.js';
import { SstpDeframer, type DeframeSink } from '../sstp/deframer.js';
import { encodeDataPacket } from '../sstp/header.js';
import { notSstp } from '../session-failures.js';

export interface LayerDeps {
  readonly clock: Clock;
  readonly sink: LogSink;
  readonly authenticatorFactory?: AuthenticatorFactory;
  /** Overrides of SSTP timers (hello interval for dead-peer detection, etc.). */
  readonly sstpTimers?: Partial<SstpTimers>;
  /** LCP echo interval for dead-peer detection (ms); off when absent. */
  readonly lcpEchoIntervalMs?: number;
}

export interface LayerHooks {
  readonly tap: StreamTap | undefined;
  /** CALL_CONNECT_ACK arrived: PPP may start. */
  callAccepted(): void;
  /** A PPP event the sequencer acts on (lcp-up, auth, NCPs). */
  ppp(e: PppLinkEvent): void;
  /** Fatal. 'silent': SSTP is already closing, or the stream cannot carry a CALL_ABORT any more. */
  failed(f: SessionFailure, mode: 'tell' | 'silent'): void;
  /** SSTP has nothing more to send or wait for. */
  sstpClosed(): void;
  ip(packet: Buffer): void;
  /** IPv4 is up: its packets may skip the PPP demultiplexer. */
  ipv4Up(): boolean;
  phase(): Phase;
}

/** How long a clean disconnect may wait for LCP Terminate-Ack before moving on to CALL_DISCONNECT. */
export const LCP_TERMINATE_WAIT_MS = 1_000;

export class SequencerLayers {
  private readonly deframer = new SstpDeframer();
  private readonly deframeSink: DeframeSink = {
    data: (bytes, start, end) => this.onDataFrame(bytes, start, end),
    control: (packet) => this.onControlPacket(packet),
  };
  private control: SstpClientControl | undefined;
  private ppp: PppLink | undefined;
  /** Set by stop(), the end of its life (the house word): the rest of a chunk being deframed is dropped. */
  private done = false;
  /** While a clean disconnect waits for LCP Terminate-Ack: what to do then, and the wait's limit. */
  private lcpClosed: (() => void) | undefined;
  private lcpWait: TimerHandle | undefined;

  constructor(
    private readonly config: SessionConfig,
    private readonly deps: LayerDeps,
    private readonly ports: { write(bytes: Buffer): boolean },
    private readonly hooks: LayerHooks,
  ) {}

  /** Sends CALL_CONNECT_REQUEST; the answer arrives through receive(). */
  startSstp(): void {
    const control = new SstpClientControl({
      clock: this.deps.clock,
      log: phaseLogger(this.deps.sink, 'sstp', () => this.deps.clock.now()),
      send: (packet) => this.write(packet),
      onEvent: (e) => this.onControlEvent(e),
      // MS-SSTP's negotiation timer runs from CALL_CONNECT_ACK to CALL_CONNECTED, across PPP
      // authentication: it must outlast the authentication wait, or an MFA push could never finish.
      timers: { negotiationMs: 30_000 + (this.config.authWaitMs ?? DEFAULT_AUTH_WAIT_MS), ...this.deps.sstpTimers },
    });
    this.control = control;
    control.start();
  }

  startPpp(): void {
    const c = this.config;
    const ppp = new PppLink({
      config: {
        authMethods: c.authMethods,
        credentials: c.credentials,
        ipv6: c.ipv6,
        mru: c.mru,
        echoIntervalMs: this.deps.lcpEchoIntervalMs,
        ...(c.authWaitMs !== undefined ? { authWaitMs: c.authWaitMs } : {}),
      },
      clock: this.deps.clock,
      log: this.deps.sink,
      send: (frame) => this.write(encodeDataPacket(frame)),
      authenticatorFactory:
        this.deps.authenticatorFactory ?? authenticatorFactoryFor(eapSetupOf(c, () => this.peerMru)),
      onEvent: (e) => this.onPppEvent(e),
    });
    this.ppp = ppp;
    ppp.start();
  }

  /** The server's MRU as LCP agreed it (1500 until then), for EAP fragment sizes. */
  peerMru = 1500;

  /** Whether the chunk being deframed is lent (read-arena.ts): what is kept past the burst is copied. */
  private lent = false;

  /** SSTP bytes from the server, after the HTTP answer. `lent`: valid only until the end of the read burst. */
  receive(chunk: Buffer, lent = false): void {
    if (this.done) return;
    this.lent = lent;
    // Any bytes from the peer prove it alive: once per chunk (a clock read), not per packet.
    this.control?.noteReceive();
    this.hooks.tap?.bytes('in', 'sstp', chunk);
    const error = this.deframer.pushTo(chunk, this.deframeSink);
    if (error !== undefined && !this.done) {
      // MS-SSTP §3.1.5.1: a stream that can no longer be delineated is closed without sending anything.
      this.hooks.failed(notSstp(this.hooks.phase(), describeDecodeError(error)), 'silent');
    }
  }

  /** An SSTP echo now, answered within timeoutMs or the call fails (SstpClientControl.probe). */
  probe(timeoutMs: number): Promise<boolean> {
    return this.done || !this.control ? Promise.resolve(false) : this.control.probe(timeoutMs);
  }

  /** CALL_CONNECTED with the crypto binding (MS-SSTP §3.2.5.2). */
  callConnected(hlak: Buffer, certDer: Buffer): void {
    this.control?.sendCallConnected(hlak, certDer);
  }

  /**
   * A clean end, step one: LCP Terminate, then `next` on the Terminate-Ack or after
   * LCP_TERMINATE_WAIT_MS (a silent server must not hold us). False, and `next` not called: no PPP yet.
   */
  closePpp(next: () => void): boolean {
    const ppp = this.ppp;
    if (!ppp) return false;
    let went = false;
    const go = (): void => {
      if (went) return;
      went = true;
      this.endLcpWait();
      next();
    };
    this.lcpClosed = go;
    ppp.close();
    // Closed at once (nothing was negotiating): no Terminate-Ack to wait for.
    if (!went) this.lcpWait = this.deps.clock.after(LCP_TERMINATE_WAIT_MS, go);
    return true;
  }

  /** A clean end, step two: CALL_DISCONNECT; 'closed' follows (sstpClosed). False: no SSTP call to end. */
  sstpDisconnect(): boolean {
    this.endLcpWait();
    this.ppp?.stop();
    if (!this.control) return false;
    this.control.disconnect();
    return true;
  }

  /** Stops everything; with `abortWith`, the server first hears why (CALL_ABORT with its status). */
  stop(abortWith: SessionFailure | undefined): void {
    this.done = true;
    this.endLcpWait();
    this.ppp?.stop();
    if (abortWith) this.control?.abort(statusFor(abortWith));
    this.control?.stop();
  }

  private endLcpWait(): void {
    this.lcpClosed = undefined;
    this.lcpWait?.cancel();
    this.lcpWait = undefined;
  }

  private write(packet: Buffer): void {
    this.hooks.tap?.bytes('out', 'sstp', packet);
    this.ports.write(packet);
  }

  /** A data packet's PPP frame is bytes[start, end). */
  private onDataFrame(bytes: Buffer, start: number, end: number): void {
    if (this.done) return;
    // Fast path: IPv4 in an established tunnel never goes through the PPP demux (and costs one view).
    if (isIpv4Frame(bytes, start, end) && this.hooks.ipv4Up()) {
      this.hooks.ip(bytes.subarray(start + PPP_HEADER_BYTES, end));
      return;
    }
    // Off the fast path the PPP link and its protocols may keep what they get (rare frames, IPv6).
    const frame = bytes.subarray(start, end);
    this.ppp?.receive(this.lent ? Buffer.from(frame) : frame);
  }

  private onControlPacket(packet: Buffer): void {
    if (this.done || !this.control) return;
    const msg = decodeControlPacket(this.lent ? Buffer.from(packet) : packet);
    if (msg.ok) this.control.receiveControl(msg.value);
    else this.control.receiveMalformed(msg.error);
  }

  private onControlEvent(e: SstpControlEvent): void {
    switch (e.type) {
      case 'connect-ack':
        phaseLogger(this.deps.sink, 'sstp', () => this.deps.clock.now()).info(
          `call accepted; crypto binding ${e.hash.toUpperCase()}`,
        );
        return this.hooks.callAccepted();
      case 'failed':
        return this.hooks.failed(e.failure, 'silent');
      case 'closed':
        return this.hooks.sstpClosed();
    }
  }

  private onPppEvent(e: PppLinkEvent): void {
    switch (e.type) {
      case 'lcp-up':
        this.peerMru = e.peerMru;
        return this.hooks.ppp(e);
      case 'ip-packet':
        return this.hooks.ip(e.packet);
      case 'failed':
        return this.hooks.failed(e.failure, 'tell');
      case 'closed':
        return this.lcpClosed?.();
      default:
        return this.hooks.ppp(e);
    }
  }
}

function statusFor(f: SessionFailure): 'NO_ERROR' | 'NEGOTIATION_TIMEOUT' | 'INVALID_FRAME_RECEIVED' {
  if (f.code === 'negotiation-timeout') return 'NEGOTIATION_TIMEOUT';
  if (f.code === 'protocol-error') return 'INVALID_FRAME_RECEIVED';
  return 'NO_ERROR';
}
