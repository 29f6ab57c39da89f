// Certificates for the strict peer, made at start: a private CA, a server leaf it signed (for --ca
// tests and pins), and on request client certificates for mutual TLS. Keys come from node:crypto
// (fast, native); node-forge builds and signs the X.509 and PKCS#12 structures.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Buffer;
  /** SHA-256 of the DER, lower-case hex without separators. */
  readonly sha256: string;
}

export interface PeerCertificates {
  readonly ca: IssuedCertificate;
  readonly leaf: IssuedCertificate;
}

interface Subject {
  readonly commonName: string;
  /** "DNS:name" or "IP:1.2.3.4". */
  readonly altNames?: readonly string[];
  readonly isCa?: boolean;
  readonly clientAuth?: boolean;
}

function newKey(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e), keyPem };
}

function issue(
  subject: Subject,
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
): IssuedCertificate & {
  readonly forgeCert: forge.pki.Certificate;
  readonly forgeKey: forge.pki.rsa.PrivateKey;
} {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  // A positive serial: a leading 0x00..0x7f byte keeps the DER INTEGER non-negative.
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000);
  const attrs = [
    { name: 'commonName', value: subject.commonName },
    { name: 'organizationName', value: 'Causeway strict test peer' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : attrs);
  const extensions: object[] = [{ name: 'basicConstraints', cA: subject.isCa === true, critical: true }];
  if (subject.isCa) extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    extensions.push({
      name: 'extKeyUsage',
      serverAuth: subject.clientAuth !== true,
      clientAuth: subject.clientAuth === true,
    });
  }
  if (subject.altNames?.length) {
    extensions.push({
      name: 'subjectAltName',
      altNames: subject.altNames.map((n) =>
        n.startsWith('IP:') ? { type: 7, ip: n.slice(3) } : { type: 2, value: n.replace(/^DNS:/, '') },
      ),
    });
  }
  extensions.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(extensions);
  cert.sign(issuer ? issuer.key : key.privateKey, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: key.keyPem,
    der,
    sha256: createHash('sha256').update(der).digest('hex'),
    forgeCert: cert,
    forgeKey: key.privateKey,
  };
}

let cached: Promise<PeerCertificates> | undefined;

/**
 * The peer's CA and server leaf (CN sstp.strict.test, SAN DNS:sstp.strict.test, DNS:localhost,
 * IP:127.0.0.1). Made once per process: key generation is the slowest part of starting a peer.
 */
export function peerCertificates(): Promise<PeerCertificates> {
  cached ??= Promise.resolve().then(() => {
    const ca = issue({ commonName: 'Causeway Strict Peer Test CA', isCa: true });
    const leaf = issue(
      { commonName: 'sstp.strict.test', altNames: ['DNS:sstp.strict.test', 'DNS:localhost', 'IP:127.0.0.1'] },
      { cert: ca.forgeCert, key: ca.forgeKey },
    );
    return { ca: strip(ca), leaf: strip(leaf) };
  });
  return cached;
}

/** A fresh self-signed server certificate, e.g. for a "the certificate changed" pin test. */
export function selfSignedServerCertificate(commonName = 'sstp.strict.test'): IssuedCertificate {
  return strip(issue({ commonName, altNames: [`DNS:${commonName}`, 'IP:127.0.0.1'] }));
}

export interface ClientCredentials {
  readonly caPem: string;
  /** PKCS#12 holding the client key and certificate, for SessionConfig.clientCertificate. */
  readonly pfx: Buffer;
  readonly passphrase: string;
  readonly certificate: IssuedCertificate;
}

/** A client CA and one client certificate it issued, for mutual-TLS tests. */
export function clientCredentials(commonName = 'causeway-client', passphrase = 'pfx-pass'): ClientCredentials {
  const ca = issue({ commonName: 'Causeway Strict Peer Client CA', isCa: true });
  const client = issue({ commonName, clientAuth: true }, { cert: ca.forgeCert, key: ca.forgeKey });
  const p12 = forge.pkcs12.toPkcs12Asn1(client.forgeKey, [client.forgeCert], passphrase, { algorithm: '3des' });
  const pfx = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
  return { caPem: ca.certPem, pfx, passphrase, certificate: strip(client) };
}

function strip(c: IssuedCertificate): IssuedCertificate {
  return { certPem: c.certPem, keyPem: c.keyPem, der: c.der, sha256: c.sha256 };
}
