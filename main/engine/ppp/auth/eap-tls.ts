// EAP-TLS, the peer side (RFC 5216; TLS 1.3 per RFC 9190): a real TLS handshake (TlsOverEap) in
// EAP-TLS fragments, driven by the exchange it shares with PEAP (tls-eap-driver.ts: fragments,
// ACKs, reassembly, the server certificate judged before any flight carrying ours leaves). EAP-Success
// counts only after the handshake finished with a trusted server; the HLAK is then the first 32
// bytes of the MSK the TLS exporter yields (RFC 5216 §2.3 / RFC 9190 §2.3).
import type { SessionFailure } from '../../failure.js';
import { EAP_TYPE_TLS } from './eap-tls-fragments.js';
import { certificateRefused, serverSkippedTls, tlsFailed } from './eap-tls-failures.js';
import type { EapMethod, EapMethodHost } from './eap-tls-host.js';
import type { InnerTrust } from './eap-tls-trust.js';
import { TlsEapDriver } from './tls-eap-driver.js';
import { TlsOverEap } from './tls-over-eap.js';
import type { TlsOverEapOptions } from './tls-over-eap.js';

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
  private readonly driver: TlsEapDriver;

  constructor(
    host: EapMethodHost,
    private readonly options: EapTlsOptions,
  ) {
    const now = options.now ?? Date.now;
    this.driver = new TlsEapDriver(host, {
      method: METHOD,
      logName: METHOD,
      type: EAP_TYPE_TLS,
      label: () => 'TLS',
      upText: 'handshake finished',
      trust: options.trust,
      now,
      ...(options.maxMessage !== undefined ? { maxMessage: options.maxMessage } : {}),
      startTls: () => new TlsOverEap(options.tls),
      deriveMsk: (tls) => eapTlsKeyMaterial(tls).subarray(0, 64),
      tlsFailed: (error, tls) => tlsFailed(METHOD, error, tls.localCertificate(), now()),
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  request(id: number, typeData: Buffer): void {
    this.driver.request(id, typeData);
  }

  success(): { readonly ok: true; readonly hlak: Buffer } | { readonly ok: false; readonly failure: SessionFailure } {
    const msk = this.driver.msk;
    if (msk === undefined || !this.driver.trusted) {
      return { ok: false, failure: serverSkippedTls(METHOD, 'EAP-Success before the TLS handshake finished') };
    }
    // MS-SSTP §3.2.5.2: for EAP methods the HLAK is the first 32 bytes of the MSK.
    return { ok: true, hlak: Buffer.from(msk.subarray(0, 32)) };
  }

  failure(): SessionFailure {
    const tls = this.driver.tls;
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
    this.driver.stop();
  }
}
