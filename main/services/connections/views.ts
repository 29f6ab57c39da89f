// Engine values turned into the contract's views: the certificate DER and anything internal stay behind.
import type { SessionFailure } from '../../engine/failure.js';
import type { TlsInfo } from '../../engine/transport/tls.js';
import type { FailureView, TlsView } from '../../contract/model.js';

export function failureView(f: SessionFailure): FailureView {
  return { phase: f.phase, code: f.code, message: f.message, ...(f.detail !== undefined ? { detail: f.detail } : {}) };
}

export function tlsView(t: Omit<TlsInfo, 'leafDer'>): TlsView {
  return { version: t.version, cipher: t.cipher, sha256: t.certificate.sha256 };
}

/** Failures a retry cannot fix: reconnecting would only hammer the server or hide a decision. */
export function isRetryable(f: SessionFailure): boolean {
  switch (f.code) {
    case 'auth-failed':
    case 'auth-method-refused':
    case 'certificate-untrusted':
    case 'certificate-pin-mismatch':
    case 'server-auth-failed':
    case 'proxy-auth-failed':
    case 'cancelled':
      return false;
    default:
      return true;
  }
}

/** Backoff for the n-th reconnect (1-based): 1 s, 2 s, 4 s … capped at 30 s. */
export function reconnectDelayMs(n: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, n - 1));
}
