// Test certificates for EAP-TLS: a user CA made in the test, client certificates it signs (valid,
// expired), and certificates from another CA. Keys from node:crypto (native, fast); node-forge
// builds and signs the X.509 and PKCS#12 structures.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Buffer;
  /** SHA-256 of the DER, lower-case hex. */
  readonly sha256: string;
  /** PKCS#12 of key + certificate (3DES, as Windows and OpenSSL 3 both read). */
  pfx(passphrase: string): Buffer;
}

export interface TestCa extends TestCertificate {
  issue(subject: CertSubject): TestCertificate;
  /** An intermediate CA signed by this one. */
  intermediate(commonName: string): TestCa;
}

export interface CertSubject {
  readonly commonName: string;
  /** "DNS:name" or "IP:1.2.3.4". */
  readonly altNames?: readonly string[];
  readonly purpose?: 'client' | 'server';
  /** Validity window; default one hour ago to two days ahead. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const HOUR = 3_600_000;

interface Made {
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

function rsaKey(): { key: forge.pki.rsa.PrivateKey; keyPem: string; pub: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { key, keyPem, pub: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function make(subject: CertSubject & { readonly isCa?: boolean }, issuer?: Made): { made: Made; out: TestCertificate } {
  const k = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = subject.notBefore ?? new Date(Date.now() - HOUR);
  cert.validity.notAfter = subject.notAfter ?? new Date(Date.now() + 48 * HOUR);
  const attrs = [
    { name: 'commonName', value: subject.commonName },
    { name: 'organizationName', value: 'Causeway EAP-TLS test' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : attrs);
  const ext: object[] = [{ name: 'basicConstraints', cA: subject.isCa === true, critical: true }];
  if (subject.isCa) ext.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else {
    ext.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    ext.push({
      name: 'extKeyUsage',
      clientAuth: subject.purpose !== 'server',
      serverAuth: subject.purpose === 'server',
    });
  }
  if (subject.altNames?.length) {
    ext.push({
      name: 'subjectAltName',
      altNames: subject.altNames.map((n) =>
        n.startsWith('IP:') ? { type: 7, ip: n.slice(3) } : { type: 2, value: n.replace(/^DNS:/, '') },
      ),
    });
  }
  ext.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(ext);
  cert.sign(issuer ? issuer.key : k.key, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const chain = issuer ? [cert, issuer.cert] : [cert];
  return {
    made: { cert, key: k.key },
    out: {
      certPem: forge.pki.certificateToPem(cert),
      keyPem: k.keyPem,
      der,
      sha256: createHash('sha256').update(der).digest('hex'),
      pfx: (passphrase: string) =>
        Buffer.from(
          forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(k.key, chain, passphrase, { algorithm: '3des' })).getBytes(),
          'binary',
        ),
    },
  };
}

function caFrom(made: { made: Made; out: TestCertificate }): TestCa {
  return {
    ...made.out,
    issue: (subject) => make(subject, made.made).out,
    intermediate: (commonName) => caFrom(make({ commonName, isCa: true, ...CA_VALIDITY() }, made.made)),
  };
}

const CA_VALIDITY = () => ({
  notBefore: new Date(Date.now() - 24 * HOUR),
  notAfter: new Date(Date.now() + 30 * 24 * HOUR),
});

/** A fresh CA; `issue` signs leaves with it. */
export function makeTestCa(commonName: string): TestCa {
  return caFrom(make({ commonName, isCa: true, ...CA_VALIDITY() }));
}

/** Validity windows for the "expired" and "not yet valid" cases. */
export const EXPIRED = {
  notBefore: new Date(Date.now() - 72 * HOUR),
  notAfter: new Date(Date.now() - 24 * HOUR),
} as const;
