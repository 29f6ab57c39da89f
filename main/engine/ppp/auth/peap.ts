// PEAPv0, Windows' "Protected EAP" (EAP type 25; [MS-PEAP], draft-kamath-pppext-peapv0), the peer
// side: a real TLS handshake (TlsOverEap) in EAP-TLS-style fragments whose low flag bits carry the
// PEAP version (we speak 0), driven by the exchange it shares with EAP-TLS (tls-eap-driver.ts; the
// server certificate judged before anything after the ClientHello leaves), then EAP-MSCHAPv2 inside
// the tunnel (peap-inner.ts). EAP-Success counts only
// when the tunnel finished with a trusted server, the server proved the password inside MS-CHAPv2
// and its Result TLV said success. HLAK = first 32 bytes of the MSK = TLS-PRF(master secret,
// "client EAP encryption", client.random ‖ server.random) — what the RADIUS server hands the NAS
// as MS-MPPE-Recv-Key ‖ MS-MPPE-Send-Key.
import { describeDecodeError } from '../../bytes.js';
import type { Credentials } from '../../config.js';
import type { SessionFailure } from '../../failure.js';
import { EAP_TYPE_PEAP } from './eap-tls-fragments.js';
import { malformedFromServer, serverSkippedTls } from './eap-tls-failures.js';
import type { EapMethod, EapMethodHost } from './eap-tls-host.js';
import type { InnerTrust } from './eap-tls-trust.js';
import type { RandomSource } from './mschapv2-exchange.js';
import { peapRefused, peapRejected, peapTlsFailed } from './peap-failures.js';
import { PEAP_METHOD, PeapInner } from './peap-inner.js';
import { decodeInner } from './peap-tlv.js';
import { TlsEapDriver } from './tls-eap-driver.js';
import { TlsOverEap } from './tls-over-eap.js';

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
  private readonly driver: TlsEapDriver;
  private readonly inner: PeapInner;
  /** Decrypted tunnel messages waiting for the current TLS step to end. */
  private readonly plaintext: Buffer[] = [];

  constructor(
    private readonly host: EapMethodHost,
    options: PeapOptions,
  ) {
    this.inner = new PeapInner(options.credentials, options.random);
    this.driver = new TlsEapDriver(host, {
      method: PEAP_METHOD,
      logName: 'PEAP',
      type: EAP_TYPE_PEAP,
      label: (version) => `PEAP v${version}`,
      upText: 'tunnel up',
      trust: options.trust,
      now: options.now ?? Date.now,
      ...(options.maxMessage !== undefined ? { maxMessage: options.maxMessage } : {}),
      startTls: (serverVersion) => {
        // Draft §3.1: the peer answers with the highest version it supports up to the server's; we do 0.
        host.log.debug(`PEAP: server offers version ${serverVersion}, we use ${OUR_VERSION}`);
        return new TlsOverEap({
          // PEAPv0 as Windows and NPS run it is defined over TLS 1.2 (the key derivation above); TLS 1.3 PEAP differs.
          maxVersion: 'TLSv1.2',
          onApplicationData: (data) => this.plaintext.push(Buffer.from(data)),
        });
      },
      deriveMsk: (tls) => {
        const msk = peapMsk(tls);
        this.inner.tunnelKey(msk);
        return msk;
      },
      tlsFailed: (error) => peapTlsFailed(error),
      // An empty Request, or a TLS step that wrote nothing: answer tunnel data still waiting.
      answerWaiting: (id) => {
        if (this.plaintext.length === 0) return false;
        this.tunnel(id);
        return true;
      },
      oneFlightBeforeCertificate: true,
    });
  }

  request(id: number, typeData: Buffer): void {
    this.driver.request(id, typeData);
  }

  /** Inner Requests arrived through the tunnel: answer each, encrypted. */
  private tunnel(id: number): void {
    const tls = this.driver.tls;
    if (tls === undefined || !this.driver.trusted || this.driver.msk === undefined) {
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
          this.driver.drive(id, tls.writeApplication(reply), (out) => {
            if (!this.driver.stopped && out.kind === 'output' && out.data.length > 0)
              this.driver.sendMessage(id, out.data);
            this.host.fail(action.failure);
          });
          return;
        }
      }
    }
    if (answers.length === 0) return this.driver.ack(id);
    this.driver.drive(id, tls.writeApplication(Buffer.concat(answers)), (step) => {
      if (this.driver.stopped) return;
      if (step.kind === 'error') return this.host.fail(peapTlsFailed(step.error));
      this.driver.sendMessage(id, step.data);
    });
  }

  success(): { readonly ok: true; readonly hlak: Buffer } | { readonly ok: false; readonly failure: SessionFailure } {
    const tunnelMsk = this.driver.msk;
    if (tunnelMsk === undefined || !this.driver.trusted)
      return { ok: false, failure: serverSkippedTls(PEAP_METHOD, 'EAP-Success before the TLS tunnel was up') };
    if (!this.inner.succeeded) {
      return {
        ok: false,
        failure: serverSkippedTls(PEAP_METHOD, 'EAP-Success before the inner EAP-MSCHAPv2 and Result TLV succeeded'),
      };
    }
    // MS-SSTP §3.2.5.2: for EAP methods the HLAK is the first 32 bytes of the MSK — the one
    // cryptobinding derived when the server asked for it ([MS-PEAP] §3.1.5.7).
    const msk = this.inner.boundMsk ?? tunnelMsk;
    return { ok: true, hlak: Buffer.from(msk.subarray(0, 32)) };
  }

  failure(): SessionFailure {
    const tls = this.driver.tls;
    if (this.inner.rejected !== undefined) return peapRejected(this.inner.rejected);
    if (tls?.error !== undefined) return peapTlsFailed(tls.error);
    return peapRefused(tls?.handshakeDone === true);
  }

  stop(): void {
    this.driver.stop();
  }
}
