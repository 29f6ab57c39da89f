// Reading certificates and describing them for a person.
// Parsing uses node:crypto's X509Certificate rather than node-forge: forge only reads RSA public keys
// ("OID is not RSA") and would fail on every ECDSA server certificate. forge is still used where Node
// has nothing: PKCS#12 (see pkcs12.ts).
import { X509Certificate, createHash } from 'node:crypto';
import type { CertificateInfo } from '../../engine/certificate-info.js';

/** CertificateInfo plus what the trust prompt also shows. */
export interface CertificateDetails extends CertificateInfo {
  readonly keyType: string; // "RSA", "EC", "Ed25519", …
  readonly keySize?: number; // bits
  readonly curve?: string; // EC only, e.g. "prime256v1"
  readonly isCa: boolean;
}

export type ParseError = { kind: 'not-a-certificate'; message: string };
export type ParseResult = { ok: true; certificates: X509Certificate[] } | { ok: false; error: ParseError };

const PEM_BLOCK =
  /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;

/** Accepts PEM (one or more certificates: a chain or a CA bundle) or a single DER certificate. */
export function parseCertificates(input: Uint8Array | string): ParseResult {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  try {
    if (blocks.length > 0) {
      return {
        ok: true,
        certificates: blocks.map((b) => new X509Certificate(Buffer.from((b[1] ?? '').replace(/\s+/g, ''), 'base64'))),
      };
    }
    if (typeof input === 'string') return notACertificate('no "BEGIN CERTIFICATE" block found');
    return { ok: true, certificates: [new X509Certificate(Buffer.from(input))] };
  } catch (e) {
    return notACertificate((e as Error).message);
  }
}

function notACertificate(why: string): ParseResult {
  return {
    ok: false,
    error: { kind: 'not-a-certificate', message: `Not an X.509 certificate in PEM or DER form (${why}).` },
  };
}

/** SHA-256 of the DER as 64 lower-case hex digits (the form stored in profiles). */
export function sha256Hex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** "AB:CD:…", the form browsers show. */
export function displayFingerprint(hex: string): string {
  return (hex.replace(/:/g, '').toUpperCase().match(/../g) ?? []).join(':');
}

export function describeCertificate(der: Uint8Array | X509Certificate): CertificateDetails {
  const x = der instanceof X509Certificate ? der : new X509Certificate(Buffer.from(der));
  const key = describeKey(x);
  return {
    subject: distinguishedName(x.subject),
    issuer: distinguishedName(x.issuer),
    serialNumber: x.serialNumber.toUpperCase(),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
    subjectAltNames: altNames(x.subjectAltName),
    sha256: displayFingerprint(sha256Hex(x.raw)),
    selfSigned: isSelfSigned(x),
    isCa: x.ca,
    ...key,
  };
}

// Not checkIssued(x): OpenSSL also demands keyCertSign there, which a self-signed server certificate lacks.
function isSelfSigned(x: X509Certificate): boolean {
  return x.subject === x.issuer && x.verify(x.publicKey);
}

// Node lists RDNs in certificate order, one per line; people read the most specific first (RFC 4514).
function distinguishedName(s: string): string {
  return s.split('\n').filter(Boolean).reverse().join(', ');
}

function altNames(s: string | undefined): string[] {
  if (!s) return [];
  return s.split(', ').map((n) => n.replace(/^IP Address:/, 'IP:'));
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521 };

function describeKey(x: X509Certificate): { keyType: string; keySize?: number; curve?: string } {
  const k = x.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  switch (k.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return {
        keyType: k.asymmetricKeyType === 'rsa' ? 'RSA' : 'RSA-PSS',
        ...(d.modulusLength ? { keySize: d.modulusLength } : {}),
      };
    case 'ec': {
      const curve = d.namedCurve ?? 'unknown';
      const bits = CURVE_BITS[curve];
      return { keyType: 'EC', curve, ...(bits ? { keySize: bits } : {}) };
    }
    case 'ed25519':
      return { keyType: 'Ed25519', keySize: 256 };
    case 'ed448':
      return { keyType: 'Ed448', keySize: 456 };
    case 'dsa':
      return { keyType: 'DSA', ...(d.modulusLength ? { keySize: d.modulusLength } : {}) };
    default:
      return { keyType: k.asymmetricKeyType ?? 'unknown' };
  }
}
