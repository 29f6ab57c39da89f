// The TLS-in-EAP exchange EAP-TLS (RFC 5216 / 9190) and PEAPv0 ([MS-PEAP]) share, written once: the
// server's Start begins a real TLS handshake (TlsOverEap); its fragmented messages are reassembled
// (bounded) and ACKed; ours go out in fragments under the peer MRU, one per ACK; Requests that come
// while TLS is still working are retransmissions and are dropped. The server certificate is judged as
// soon as TLS has read it, before any later flight (which may carry our certificate) leaves, and the
// MSK is derived once the handshake finished with a trusted server. What differs — the EAP type, the
// key derivation, failure wording, and PEAP's tunnel inside — comes in the TlsEapFlavor.
import { describeDecodeError } from '../../bytes.js';
import type { SessionFailure } from '../../failure.js';
import {
  FragmentSender,
  Reassembler,
  ackFragment,
  decodeTlsFragment,
  encodeTlsFragment,
  maxFragmentData,
} from './eap-tls-fragments.js';
import type { TlsFragment } from './eap-tls-fragments.js';
import { malformedFromServer, reassemblyFailed, serverSkippedTls } from './eap-tls-failures.js';
import type { EapMethodHost } from './eap-tls-host.js';
import { judgeInnerCertificate } from './eap-tls-trust.js';
import type { InnerTrust } from './eap-tls-trust.js';
import type { TlsOverEap, TlsOverEapError, TlsStep } from './tls-over-eap.js';
import { idHex } from './trace.js';

/** The version we put in the flag bits: EAP-TLS has none (0), and we speak PEAPv0. */
const OUR_VERSION = 0;

export interface TlsEapFlavor {
  /** The method as failures name it ('EAP-TLS', 'PEAP (EAP-MSCHAPv2)'). */
  readonly method: string;
  /** Its short name in log lines ('EAP-TLS', 'PEAP'). */
  readonly logName: string;
  readonly type: number;
  /** How a fragment is named in traces: 'TLS', or 'PEAP v0' (the version the fragment carries). */
  label(version: number): string;
  /** What the log says once the handshake finished ("handshake finished", "tunnel up"). */
  readonly upText: string;
  readonly trust: InnerTrust;
  /** Calendar time for certificate validity (not the session clock). */
  readonly now: () => number;
  readonly maxMessage?: number;
  /** The server's Start: the TLS engine to run (`serverVersion` from its flag bits). */
  startTls(serverVersion: number): TlsOverEap;
  /** The 64-byte MSK, from a handshake finished with a trusted server. */
  deriveMsk(tls: TlsOverEap): Buffer;
  tlsFailed(error: TlsOverEapError, tls: TlsOverEap): SessionFailure;
  /**
   * When TLS has nothing to send: answer inner data waiting instead of an ACK (PEAP's tunnel); true
   * when it did.
   */
  answerWaiting?(id: number): boolean;
  /** Refuse a second flight before the server's certificate (PEAPv0: TLS 1.2, no HelloRetryRequest). */
  readonly oneFlightBeforeCertificate?: boolean;
}

export class TlsEapDriver {
  private engine: TlsOverEap | undefined;
  private readonly reassembler: Reassembler;
  private sender: FragmentSender | undefined;
  /** A TLS step is in flight: Requests meanwhile are retransmissions of the one we are answering. */
  private busy = false;
  private done = false;
  /** Set once the inner certificate was judged trustworthy. */
  private trustedServer = false;
  private key: Buffer | undefined;

  constructor(
    private readonly host: EapMethodHost,
    private readonly flavor: TlsEapFlavor,
  ) {
    this.reassembler = new Reassembler(flavor.maxMessage);
  }

  get tls(): TlsOverEap | undefined {
    return this.engine;
  }

  /** The server's certificate was judged trustworthy. */
  get trusted(): boolean {
    return this.trustedServer;
  }

  /** The MSK (64 bytes) once the handshake finished with a trusted server. */
  get msk(): Buffer | undefined {
    return this.key;
  }

  get stopped(): boolean {
    return this.done;
  }

  request(id: number, typeData: Buffer): void {
    const { method } = this.flavor;
    if (this.done) return;
    if (this.busy) {
      this.host.log.debug(
        `rcvd [EAP Request id=${idHex(id)} ${this.flavor.label(OUR_VERSION)}] while TLS is still working on the previous one; dropped`,
      );
      return;
    }
    const d = decodeTlsFragment(typeData);
    if (!d.ok) return this.host.fail(malformedFromServer(method, describeDecodeError(d.error)));
    const f = d.value;
    this.host.log.debug(
      `rcvd [EAP Request id=${idHex(id)} ${this.flavor.label(f.version)}${flagText(f)} ${f.data.length} bytes]`,
    );
    if (f.start) return this.begin(id, f.version);
    if (this.engine === undefined) return this.host.fail(malformedFromServer(method, 'TLS data before the Start'));
    if (this.sender !== undefined && this.sender.pending > 0) {
      // We are mid-way through our own message: this must be the ACK for the last fragment.
      if (f.data.length !== 0 || f.more)
        return this.host.fail(malformedFromServer(method, 'data instead of an ACK while our message was being sent'));
      return this.sendNext(id);
    }
    const step = this.reassembler.push(f);
    switch (step.kind) {
      case 'error':
        return this.host.fail(reassemblyFailed(method, step.error));
      case 'need-more':
        return this.ack(id, `ACK (${step.received} bytes so far)`);
      case 'complete':
        if (step.message.length > 0) return this.drive(id, this.engine.receive(step.message));
        // An empty Request that is no ACK of ours: nothing for TLS (SoftEther sends one to ask for
        // the final ACK; a PEAP server to collect our tunnel answer).
        if (this.flavor.answerWaiting?.(id)) return;
        return this.ack(id);
    }
  }

  private begin(id: number, serverVersion: number): void {
    if (this.engine !== undefined) {
      // A second Start: the server restarted the method. SoftEther does this when the handshake ended
      // without our certificate reaching it; starting over would only loop.
      return this.host.fail(
        malformedFromServer(
          this.flavor.method,
          `the server restarted ${this.flavor.logName} (Start after the handshake began)`,
        ),
      );
    }
    this.engine = this.flavor.startTls(serverVersion);
    this.drive(id, this.engine.start());
  }

  /**
   * Runs a TLS step; Requests are dropped until it ends. Then, by default, what TLS wrote is sent
   * (unless stopped meanwhile); a caller's own `then` always runs and checks `stopped` itself.
   */
  drive(id: number, work: Promise<TlsStep>, then?: (step: TlsStep) => void): void {
    this.busy = true;
    void work.then((step) => {
      this.busy = false;
      if (then) then(step);
      else if (!this.done) this.afterStep(id, step);
    });
  }

  private afterStep(id: number, step: TlsStep): void {
    const tls = this.engine;
    const { method } = this.flavor;
    if (tls === undefined) return;
    if (step.kind === 'error') return this.host.fail(this.flavor.tlsFailed(step.error, tls));
    // Our certificate may be in what TLS just wrote: judge the server's, which TLS has read by then.
    const chain = tls.peerChainDer();
    if (!this.trustedServer && chain.length > 0) {
      const verdict = judgeInnerCertificate(method, chain, this.flavor.trust, this.flavor.now());
      if (!verdict.ok) return this.host.fail(verdict.failure);
      this.trustedServer = true;
      this.host.log.debug(`${this.flavor.logName}: server certificate ${verdict.sha256} trusted`);
    }
    if (tls.handshakeDone && this.key === undefined) {
      if (!this.trustedServer)
        return this.host.fail(serverSkippedTls(method, 'handshake finished without a server certificate'));
      this.key = this.flavor.deriveMsk(tls);
      this.host.log.debug(`${this.flavor.logName}: ${this.flavor.upText} (${tls.protocol ?? '?'}); MSK derived`);
    }
    if (step.data.length === 0) {
      if (this.flavor.answerWaiting?.(id)) return;
      return this.ack(id);
    }
    // Output before any server certificate is a ClientHello (the first, or the second after a TLS 1.3
    // HelloRetryRequest): our certificate only follows the server's Certificate in both versions.
    if (this.flavor.oneFlightBeforeCertificate && !this.trustedServer && this.sender !== undefined) {
      return this.host.fail(
        serverSkippedTls(method, 'TLS wants to send a second flight before the server presented a certificate'),
      );
    }
    this.sendMessage(id, step.data);
  }

  /** Sends a whole TLS message, fragment by fragment as the server ACKs. */
  sendMessage(id: number, data: Buffer): void {
    this.sender = new FragmentSender(data, maxFragmentData(this.host.peerMru()), OUR_VERSION);
    this.sendNext(id);
  }

  ack(id: number, what = 'ACK'): void {
    this.send(id, ackFragment(OUR_VERSION), what);
  }

  private sendNext(id: number): void {
    const f = this.sender?.next();
    if (f === undefined) return this.ack(id);
    this.send(id, f, `${f.data.length} bytes`);
  }

  private send(id: number, f: TlsFragment, what: string): void {
    this.host.reply(
      id,
      this.flavor.type,
      encodeTlsFragment(f),
      `${this.flavor.label(OUR_VERSION)}${flagText(f)} ${what}`,
    );
  }

  stop(): void {
    this.done = true;
    this.engine?.close();
  }
}

function flagText(f: TlsFragment): string {
  const flags = `${f.totalLength !== undefined ? 'L' : ''}${f.more ? 'M' : ''}${f.start ? 'S' : ''}`;
  return flags === '' ? '' : ` [${flags}]`;
}
