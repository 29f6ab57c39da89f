// PEAPv0, Windows' "Protected EAP" (EAP type 25; [MS-PEAP], draft-kamath-pppext-peapv0), the peer
// side: a real TLS handshake (TlsOverEap) in EAP-TLS-style fragments whose low flag bits carry the
// PEAP version (we speak 0), the server certificate judged like EAP-TLS's before anything after the
// ClientHello leaves, then EAP-MSCHAPv2 inside the tunnel (peap-inner.ts). EAP-Success counts only
// when the tunnel finished with a trusted server, the server proved the password inside MS-CHAPv2
// and its Result TLV said success. HLAK = first 32 bytes of the MSK = TLS-PRF(master secret,
// "client EAP encryption", client.random ‖ server.random) — what the RADIUS server hands the NAS
// as MS-MPPE-Recv-Key ‖ MS-MPPE-Send-Key.
import { describeDecodeError } from '../../bytes.js';
import type { Credentials } from '../../config.js';
import type { SessionFailure } from '../../failure.js';
import {
  FragmentSender,
  Reassembler,
  ackFragment,
  decodeTlsFragment,
  encodeTlsFragment,
  maxFragmentData,
  EAP_TYPE_PEAP,
} from './eap-tls-fragments.js';
import type { TlsFragment } from './eap-tls-fragments.js';
import { malformedFromServer, reassemblyFailed, serverSkippedTls } from './eap-tls-failures.js';
import type { EapMethod, EapMethodHost } from './eap-tls-host.js';
import { judgeInnerCertificate } from './eap-tls-trust.js';
import type { InnerTrust } from './eap-tls-trust.js';
import type { RandomSource } from './mschapv2-exchange.js';
import { peapRefused, peapRejected, peapTlsFailed } from './peap-failures.js';
import { PEAP_METHOD, PeapInner } from './peap-inner.js';
import { decodeInner } from './peap-tlv.js';
import { TlsOverEap } from './tls-over-eap.js';
import type { TlsStep } from './tls-over-eap.js';
import { idHex } from './trace.js';

const OUR_VERSION = 0;

export interface PeapOptions {
  readonly credentials: Credentials;
  readonly trust: InnerTrust;
  /** MS-CHAPv2 peer challenge source; tests inject a fixed one. */
  readonly random?: RandomSource;
  readonly maxMessage?: number;
  /**
   * Calendar time for certificate validity (ms since the epoch); default Date.now. Not the session
   * clock, which tests run from 0.
   */
  readonly now?: () => number;
}

/** The 64-byte PEAPv0 MSK without cryptobinding (same PRF as RFC 5216 §2.3); also the TK cryptobinding starts from. */
export function peapMsk(tls: TlsOverEap): Buffer {
  return tls.keyingMaterial(64, 'client EAP encryption');
}

export class PeapMethod implements EapMethod {
  readonly type = EAP_TYPE_PEAP;
  private tls: TlsOverEap | undefined;
  private readonly reassembler: Reassembler;
  private readonly inner: PeapInner;
  private sender: FragmentSender | undefined;
  /** Decrypted tunnel messages waiting for the current TLS step to end. */
  private readonly plaintext: Buffer[] = [];
  private busy = false;
  private stopped = false;
  private trusted = false;
  private msk: Buffer | undefined;

  constructor(
    private readonly host: EapMethodHost,
    private readonly options: PeapOptions,
  ) {
    this.reassembler = new Reassembler(options.maxMessage);
    this.inner = new PeapInner(options.credentials, options.random);
  }

  request(id: number, typeData: Buffer): void {
    if (this.stopped) return;
    if (this.busy) {
      this.host.log.debug(
        `rcvd [EAP Request id=${idHex(id)} PEAP] while TLS is still working on the previous one; dropped`,
      );
      return;
    }
    const d = decodeTlsFragment(typeData);
    if (!d.ok) return this.host.fail(malformedFromServer(PEAP_METHOD, describeDecodeError(d.error)));
    const f = d.value;
    this.host.log.debug(`rcvd [EAP Request id=${idHex(id)} PEAP v${f.version}${flagText(f)} ${f.data.length} bytes]`);
    if (f.start) return this.begin(id, f.version);
    if (this.tls === undefined) return this.host.fail(malformedFromServer(PEAP_METHOD, 'TLS data before the Start'));
    if (this.sender !== undefined && this.sender.pending > 0) {
      if (f.data.length !== 0 || f.more)
        return this.host.fail(
          malformedFromServer(PEAP_METHOD, 'data instead of an ACK while our message was being sent'),
        );
      return this.sendNext(id);
    }
    const step = this.reassembler.push(f);
    switch (step.kind) {
      case 'error':
        return this.host.fail(reassemblyFailed(PEAP_METHOD, step.error));
      case 'need-more':
        return this.send(id, ackFragment(OUR_VERSION), `ACK (${step.received} bytes so far)`);
      case 'complete':
        if (step.message.length > 0) return this.drive(id, this.tls.receive(step.message));
        // An empty Request (the server ACKing our last fragment): answer tunnel data still waiting, else ACK.
        if (this.plaintext.length > 0) return this.tunnel(id);
        return this.send(id, ackFragment(OUR_VERSION), 'ACK');
    }
  }

  private begin(id: number, serverVersion: number): void {
    if (this.tls !== undefined)
      return this.host.fail(
        malformedFromServer(PEAP_METHOD, 'the server restarted PEAP (Start after the handshake began)'),
      );
    // Draft §3.1: the peer answers with the highest version it supports up to the server's; we do 0.
    this.host.log.debug(`PEAP: server offers version ${serverVersion}, we use ${OUR_VERSION}`);
    this.tls = new TlsOverEap({
      // PEAPv0 as Windows and NPS run it is defined over TLS 1.2 (the key derivation above); TLS 1.3 PEAP differs.
      maxVersion: 'TLSv1.2',
      onApplicationData: (data) => this.plaintext.push(Buffer.from(data)),
    });
    this.drive(id, this.tls.start());
  }

  private drive(id: number, work: Promise<TlsStep>): void {
    this.busy = true;
    void work.then((step) => this.afterStep(id, step));
  }

  private afterStep(id: number, step: TlsStep): void {
    this.busy = false;
    const tls = this.tls;
    if (this.stopped || tls === undefined) return;
    if (step.kind === 'error') return this.host.fail(peapTlsFailed(step.error));
    // Nothing after the ClientHello leaves before the server's certificate is judged.
    const chain = tls.peerChainDer();
    if (!this.trusted && chain.length > 0) {
      const verdict = judgeInnerCertificate(PEAP_METHOD, chain, this.options.trust, (this.options.now ?? Date.now)());
      if (!verdict.ok) return this.host.fail(verdict.failure);
      this.trusted = true;
      this.host.log.debug(`PEAP: server certificate ${verdict.sha256} trusted`);
    }
    if (tls.handshakeDone && this.msk === undefined) {
      if (!this.trusted)
        return this.host.fail(serverSkippedTls(PEAP_METHOD, 'handshake finished without a server certificate'));
      this.msk = peapMsk(tls);
      this.inner.tunnelKey(this.msk);
      this.host.log.debug(`PEAP: tunnel up (${tls.protocol ?? '?'}); MSK derived`);
    }
    if (step.data.length === 0 && this.plaintext.length > 0) return this.tunnel(id);
    if (step.data.length === 0) return this.send(id, ackFragment(OUR_VERSION), 'ACK');
    if (!this.trusted && this.sender !== undefined) {
      return this.host.fail(
        serverSkippedTls(PEAP_METHOD, 'TLS wants to send a second flight before the server presented a certificate'),
      );
    }
    this.sendMessage(id, step.data);
  }

  /** Inner Requests arrived through the tunnel: answer each, encrypted. */
  private tunnel(id: number): void {
    const tls = this.tls;
    if (tls === undefined || !this.trusted || this.msk === undefined) {
      return this.host.fail(serverSkippedTls(PEAP_METHOD, 'tunnel data before the handshake finished'));
    }
    const answers: Buffer[] = [];
    for (const message of this.plaintext.splice(0)) {
      const d = decodeInner(message, id);
      if (!d.ok) return this.host.fail(malformedFromServer(PEAP_METHOD, describeDecodeError(d.error)));
      const action = this.inner.handle(d.value);
      switch (action.kind) {
        case 'reply':
          this.host.log.debug(`PEAP: send ${action.trace}`);
          answers.push(action.message);
          break;
        case 'ignore':
          this.host.log.debug(`PEAP: ${action.why}; dropped`);
          break;
        case 'fail': {
          const reply = action.reply;
          if (reply === undefined) return this.host.fail(action.failure);
          // Our Result failure goes out first, so the server's log says why we left; then we stop.
          this.busy = true;
          void tls.writeApplication(reply).then((out) => {
            this.busy = false;
            if (!this.stopped && out.kind === 'output' && out.data.length > 0) this.sendMessage(id, out.data);
            this.host.fail(action.failure);
          });
          return;
        }
      }
    }
    if (answers.length === 0) return this.send(id, ackFragment(OUR_VERSION), 'ACK');
    this.busy = true;
    void tls.writeApplication(Buffer.concat(answers)).then((step) => {
      this.busy = false;
      if (this.stopped) return;
      if (step.kind === 'error') return this.host.fail(peapTlsFailed(step.error));
      this.sendMessage(id, step.data);
    });
  }

  private sendMessage(id: number, data: Buffer): void {
    this.sender = new FragmentSender(data, maxFragmentData(this.host.peerMru()), OUR_VERSION);
    this.sendNext(id);
  }

  private sendNext(id: number): void {
    const f = this.sender?.next();
    if (f === undefined) return this.send(id, ackFragment(OUR_VERSION), 'ACK');
    this.send(id, f, `${f.data.length} bytes`);
  }

  private send(id: number, f: TlsFragment, what: string): void {
    this.host.reply(id, EAP_TYPE_PEAP, encodeTlsFragment(f), `PEAP v${OUR_VERSION}${flagText(f)} ${what}`);
  }

  success(): { readonly ok: true; readonly hlak: Buffer } | { readonly ok: false; readonly failure: SessionFailure } {
    if (this.msk === undefined || !this.trusted)
      return { ok: false, failure: serverSkippedTls(PEAP_METHOD, 'EAP-Success before the TLS tunnel was up') };
    if (!this.inner.succeeded) {
      return {
        ok: false,
        failure: serverSkippedTls(PEAP_METHOD, 'EAP-Success before the inner EAP-MSCHAPv2 and Result TLV succeeded'),
      };
    }
    // MS-SSTP §3.2.5.2: for EAP methods the HLAK is the first 32 bytes of the MSK — the one
    // cryptobinding derived when the server asked for it ([MS-PEAP] §3.1.5.7).
    const msk = this.inner.boundMsk ?? this.msk;
    return { ok: true, hlak: Buffer.from(msk.subarray(0, 32)) };
  }

  failure(): SessionFailure {
    const tls = this.tls;
    if (this.inner.rejected !== undefined) return peapRejected(this.inner.rejected);
    if (tls?.error !== undefined) return peapTlsFailed(tls.error);
    return peapRefused(tls?.handshakeDone === true);
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
