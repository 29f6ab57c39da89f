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
