// Turning the server's leaf certificate into what a person needs to decide about it.
import { X509Certificate, createHash } from 'node:crypto';
import type { CertificateInfo } from '../certificate-info.js';

export function colonHex(buf: Buffer): string {
  return buf
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/** Normalises a user-supplied SHA-256 fingerprint (hex, any case, ':' or spaces, optional "sha256:" prefix). */
export function normaliseFingerprint(input: string): string | undefined {
  const hexOnly = input
    .replace(/^sha256:/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase();
  return /^[0-9A-F]{64}$/.test(hexOnly) ? hexOnly : undefined;
}

export function describeLeaf(der: Buffer): CertificateInfo {
  const sha256 = colonHex(createHash('sha256').update(der).digest());
  let x: X509Certificate;
  try {
    x = new X509Certificate(der);
  } catch {
    return {
      subject: '(unparsable)',
      issuer: '(unparsable)',
      serialNumber: '',
      validFrom: '',
      validTo: '',
      subjectAltNames: [],
      sha256,
      selfSigned: false,
    };
  }
  const dn = (s: string) => s.split('\n').filter(Boolean).join(', ');
  const iso = (s: string) => {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? s : d.toISOString();
  };
  return {
    subject: dn(x.subject),
    issuer: dn(x.issuer),
    serialNumber: x.serialNumber,
    validFrom: iso(x.validFrom),
    validTo: iso(x.validTo),
    subjectAltNames: (x.subjectAltName ?? '')
      .split(', ')
      .filter(Boolean)
      .map((s) => s.replace('IP Address:', 'IP:')),
    sha256,
    selfSigned: x.subject === x.issuer && x.checkIssued(x),
  };
}
