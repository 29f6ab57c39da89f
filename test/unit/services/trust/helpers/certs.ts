// Certificates made at test time with node-forge: no committed fixtures to expire.
import forge from 'node-forge';

export interface Issued {
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
  readonly der: Buffer;
  readonly pem: string;
}

export interface CertOptions {
  readonly cn: string;
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  readonly issuer?: Issued; // absent: self-signed
  readonly isCa?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly bits?: number;
}

let serial = 1;

export function issue(o: CertOptions): Issued {
  // 1024-bit keys by default: these tests check logic, not strength, and run on loaded CI machines.
  const keys = forge.pki.rsa.generateKeyPair({ bits: o.bits ?? 1024, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(4, '0');
  cert.validity.notBefore = o.notBefore ?? new Date(Date.now() - 3600_000);
  cert.validity.notAfter = o.notAfter ?? new Date(Date.now() + 30 * 86400_000);
  // Real certificates list the RDNs general → specific (C, O, CN).
  const subject = [
    { name: 'organizationName', value: 'Causeway Tests' },
    { name: 'commonName', value: o.cn },
  ];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : subject);
  const altNames = [
    ...(o.dns ?? []).map((value) => ({ type: 2, value })),
    ...(o.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: o.isCa ?? false, critical: true },
    {
      name: 'keyUsage',
      critical: true,
      ...(o.isCa ? { keyCertSign: true, cRLSign: true } : { digitalSignature: true, keyEncipherment: true }),
    },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(o.issuer?.key ?? keys.privateKey, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { cert, key: keys.privateKey, der, pem: forge.pki.certificateToPem(cert) };
}

export function pkcs12(
  holder: Issued,
  passphrase: string,
  extra: readonly Issued[] = [],
  algorithm: 'aes256' | '3des' = 'aes256',
): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(holder.key, [holder.cert, ...extra.map((e) => e.cert)], passphrase, {
    algorithm,
    generateLocalKeyId: true,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** A PKCS#12 holding only certificates (no key). */
export function certOnlyPkcs12(holder: Issued, passphrase: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(null, [holder.cert], passphrase, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
