// EAP-TLS, the peer side (RFC 5216; TLS 1.3 per RFC 9190): a real TLS handshake (TlsOverEap) in
// EAP-TLS fragments. The server's Start begins it; our messages go out in fragments under the
// peer MRU, one per ACK; the server's fragmented messages are reassembled (bounded) and ACKed.
// The server certificate is judged before any flight carrying our certificate leaves. EAP-Success
// counts only after the handshake finished with a trusted server; the HLAK is then the first 32
// bytes of the MSK the TLS exporter yields (RFC 5216 §2.3 / RFC 9190 §2.3).
import { describeDecodeError } from '../../bytes.js';
import type { SessionFailure } from '../../failure.js';
import {
  EAP_TYPE_TLS,
  FragmentSender,
  Reassembler,
  ackFragment,
  decodeTlsFragment,
  encodeTlsFragment,
  maxFragmentData,
} from './eap-tls-fragments.js';
import type { TlsFragment } from './eap-tls-fragments.js';
import {
  certificateRefused,
  malformedFromServer,
  reassemblyFailed,
  serverSkippedTls,
  tlsFailed,
} from './eap-tls-failures.js';
import type { EapMethod, EapMethodHost } from './eap-tls-host.js';
import { judgeInnerCertificate } from './eap-tls-trust.js';
import type { InnerTrust } from './eap-tls-trust.js';
import { TlsOverEap } from './tls-over-eap.js';
import type { TlsOverEapOptions, TlsStep } from './tls-over-eap.js';
import { idHex } from './trace.js';

const METHOD = 'EAP-TLS';

export interface EapTlsOptions {
  /** Client certificate and TLS versions. */
  readonly tls: TlsOverEapOptions;
  readonly trust: InnerTrust;
  /** The user name (EAP Identity) the server checks the certificate against, for messages. */
  readonly user: string;
  /** Largest TLS message we reassemble from the server. */
  readonly maxMessage?: number;
  /**
   * Calendar time for certificate validity (ms since the epoch); default Date.now. Not the
   * session clock: that one measures intervals (a ManualClock starts at 0).
   */
  readonly now?: () => number;
}

/** MSK and EMSK (64 bytes each) from a finished TLS handshake inside EAP-TLS. */
export function eapTlsKeyMaterial(tls: TlsOverEap): Buffer {
  // TLS 1.3 (RFC 9190 §2.3): TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", Type-Code 0x0D, 128).
  // TLS 1.2 (RFC 5216 §2.3): PRF(master, "client EAP encryption", client.random ‖ server.random),
  // which is exactly the RFC 5705 exporter without a context.
  if (tls.protocol === 'TLSv1.3')
    return tls.keyingMaterial(128, 'EXPORTER_EAP_TLS_Key_Material', Buffer.of(EAP_TYPE_TLS));
  return tls.keyingMaterial(128, 'client EAP encryption');
}

export class EapTlsMethod implements EapMethod {
  readonly type = EAP_TYPE_TLS;
  private tls: TlsOverEap | undefined;
  private readonly reassembler: Reassembler;
  private sender: FragmentSender | undefined;
  /** A TLS step is in flight: Requests meanwhile are retransmissions of the one we are answering. */
  private busy = false;
  private stopped = false;
  /** Set once the inner certificate was judged trustworthy. */
  private trusted = false;
  private msk: Buffer | undefined;

  constructor(
    private readonly host: EapMethodHost,
    private readonly options: EapTlsOptions,
  ) {
    this.reassembler = new Reassembler(options.maxMessage);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  request(id: number, typeData: Buffer): void {
    if (this.stopped) return;
    if (this.busy) {
      this.host.log.debug(
        `rcvd [EAP Request id=${idHex(id)} TLS] while TLS is still working on the previous one; dropped`,
      );
      return;
    }
    const d = decodeTlsFragment(typeData);
    if (!d.ok) return this.host.fail(malformedFromServer(METHOD, describeDecodeError(d.error)));
    const f = d.value;
    this.host.log.debug(`rcvd [EAP Request id=${idHex(id)} TLS${flagText(f)} ${f.data.length} bytes]`);
    if (f.start) return this.begin(id);
    if (this.tls === undefined) return this.host.fail(malformedFromServer(METHOD, 'TLS data before the Start'));
    if (this.sender !== undefined && this.sender.pending > 0) {
      // We are mid-way through our own message: this must be the ACK for the last fragment.
      if (f.data.length !== 0 || f.more)
        return this.host.fail(malformedFromServer(METHOD, 'data instead of an ACK while our message was being sent'));
      return this.sendNext(id);
    }
    const step = this.reassembler.push(f);
    switch (step.kind) {
      case 'error':
        return this.host.fail(reassemblyFailed(METHOD, step.error));
      case 'need-more':
        return this.send(id, ackFragment(), `ACK (${step.received} bytes so far)`);
      case 'complete':
        if (step.message.length === 0) {
          // An empty Request that is no ACK of ours: nothing for TLS. SoftEther sends one to ask
          // for the final ACK; answer with an ACK.
          return this.send(id, ackFragment(), 'ACK');
        }
        return this.drive(id, this.tls.receive(step.message));
    }
  }

  private begin(id: number): void {
    if (this.tls !== undefined) {
      // A second Start: the server restarted EAP-TLS. SoftEther does this when the handshake ended
      // without our certificate reaching it; starting over would only loop.
      return this.host.fail(
        malformedFromServer(METHOD, 'the server restarted EAP-TLS (Start after the handshake began)'),
      );
    }
    this.tls = new TlsOverEap(this.options.tls);
    this.drive(id, this.tls.start());
  }

  private drive(id: number, work: Promise<TlsStep>): void {
    this.busy = true;
    void work.then((step) => {
      this.busy = false;
      if (!this.stopped) this.afterStep(id, step);
    });
  }

  private afterStep(id: number, step: TlsStep): void {
    const tls = this.tls;
    if (tls === undefined) return;
    if (step.kind === 'error') return this.host.fail(tlsFailed(METHOD, step.error, tls.localCertificate(), this.now()));
    // Our certificate may be in what TLS just wrote: judge the server's, which TLS has read by then.
    const chain = tls.peerChainDer();
    if (!this.trusted && chain.length > 0) {
      const verdict = judgeInnerCertificate(METHOD, chain, this.options.trust, this.now());
      if (!verdict.ok) return this.host.fail(verdict.failure);
      this.trusted = true;
      this.host.log.debug(`${METHOD}: server certificate ${verdict.sha256} trusted`);
    }
    if (tls.handshakeDone && this.msk === undefined) {
      if (!this.trusted)
        return this.host.fail(serverSkippedTls(METHOD, 'handshake finished without a server certificate'));
      this.msk = eapTlsKeyMaterial(tls).subarray(0, 64);
      this.host.log.debug(`${METHOD}: handshake finished (${tls.protocol ?? '?'}); MSK derived`);
    }
    if (step.data.length === 0) return this.send(id, ackFragment(), 'ACK');
    // Output before any server certificate is a ClientHello (the first, or the second after a TLS 1.3
    // HelloRetryRequest): our certificate only follows the server's Certificate in both versions.
    this.sender = new FragmentSender(step.data, maxFragmentData(this.host.peerMru()));
    this.sendNext(id);
  }

  private sendNext(id: number): void {
    const f = this.sender?.next();
    if (f === undefined) return this.send(id, ackFragment(), 'ACK');
    this.send(id, f, `${f.data.length} bytes`);
  }

  private send(id: number, f: TlsFragment, what: string): void {
    this.host.reply(id, EAP_TYPE_TLS, encodeTlsFragment(f), `TLS${flagText(f)} ${what}`);
  }

  success(): { readonly ok: true; readonly hlak: Buffer } | { readonly ok: false; readonly failure: SessionFailure } {
    if (this.msk === undefined || !this.trusted) {
      return { ok: false, failure: serverSkippedTls(METHOD, 'EAP-Success before the TLS handshake finished') };
    }
    // MS-SSTP §3.2.5.2: for EAP methods the HLAK is the first 32 bytes of the MSK.
    return { ok: true, hlak: Buffer.from(this.msk.subarray(0, 32)) };
  }

  failure(): SessionFailure {
    const tls = this.tls;
    if (tls?.error !== undefined) return tlsFailed(METHOD, tls.error, tls.localCertificate(), this.now());
    return certificateRefused(
      METHOD,
      this.options.user,
      tls?.localCertificate(),
      this.now(),
      tls?.handshakeDone ?? false,
    );
  }

  stop(): void {
    this.stopped = true;
    this.tls?.close();
  }
}

function flagText(f: TlsFragment): string {
  const flags = `${f.totalLength !== undefined ? 'L' : ''}${f.more ? 'M' : ''}${f.start ? 'S' : ''}`;
  return flags === '' ? '' : ` [${flags}]`;
}
