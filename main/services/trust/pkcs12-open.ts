// Opens a PKCS#12 client certificate (the forge half of pkcs12.ts). node-forge reads the container (Node
// cannot) so a wrong passphrase, a file that is not PKCS#12 and a container without a key are told apart;
// then OpenSSL, which will do the actual TLS, must accept it too. Old exports (RC2-40, Windows' default
// for years) that OpenSSL 3 refuses are re-encoded with AES-256 in memory when forge can carry the key
// (RSA). A file of its own so that forge (~10 MB of RSS in a bare Node) is loaded only by a profile
// that has a .p12, not by every `causeway connect` (issue 17): pkcs12.ts imports this on demand.
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { describeCertificate, type CertificateDetails } from './certificate.js';
import type { ClientCertificateError, LoadedClientCertificate } from './client-certificate-types.js';
import { checkClientLeaf } from './client-certificate-checks.js';

export type Pkcs12Result = { ok: true; value: LoadedClientCertificate } | { ok: false; error: ClientCertificateError };

/** Pure: checks the container with both forge and OpenSSL and returns what TLS needs. */
export function openPkcs12(
  pfx: Buffer,
  passphrase: string,
  path = 'client certificate',
  now: Date = new Date(),
): Pkcs12Result {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')));
  } catch {
    return fail({ kind: 'not-pkcs12', path, message: `${path} is not a PKCS#12 (.p12/.pfx) file.` });
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, passphrase);
  } catch (e) {
    const m = (e as Error).message;
    if (/MAC could not be verified|wrong password|Invalid password/i.test(m)) {
      return fail({ kind: 'wrong-passphrase', path, message: `The passphrase for ${path} is wrong.` });
    }
    return fail({ kind: 'not-pkcs12', path, message: `${path} is not a readable PKCS#12 file (${m}).` });
  }

  const keyBags = [...bags(p12, forge.pki.oids.pkcs8ShroudedKeyBag ?? ''), ...bags(p12, forge.pki.oids.keyBag ?? '')];
  const certBags = bags(p12, forge.pki.oids.certBag ?? '');
  const keyBag = keyBags[0];
  if (!keyBag || certBags.length === 0) {
    return fail({
      kind: 'incomplete',
      path,
      message: `${path} must hold a private key and its certificate; it holds ${keyBags.length} key(s) and ${certBags.length} certificate(s).`,
    });
  }
  const leafBag = certBags.find((b) => sameLocalKeyId(b, keyBag)) ?? certBags[0];
  const certificate = leafBag ? certificateOf(leafBag) : undefined;
  const leafDer = leafBag ? derOf(leafBag) : undefined;
  // OpenSSL checks the key against the certificate below; validity and purpose are checked here.
  const problem = leafDer ? checkClientLeaf(leafDer, undefined, now, path) : undefined;
  if (problem) return fail({ ...problem, path });

  const accepted = opensslAccepts(pfx, passphrase);
  if (accepted === 'key-mismatch')
    return fail({
      kind: 'key-mismatch',
      path,
      message: `The private key in ${path} does not belong to its certificate. Export the certificate again together with its own key.`,
    });
  if (accepted === true)
    return { ok: true, value: { pfx, passphrase, reencoded: false, ...(certificate ? { certificate } : {}) } };

  // OpenSSL 3 without the legacy provider refuses RC2/RC4-encrypted containers; forge can rewrite RSA ones.
  const certs = certBags.map((b) => b.cert).filter((c): c is forge.pki.Certificate => !!c);
  if (keyBag.key && certs.length === certBags.length) {
    const rewritten = forge.pkcs12.toPkcs12Asn1(keyBag.key, certs, passphrase, {
      algorithm: 'aes256',
      generateLocalKeyId: true,
    });
    const out = Buffer.from(forge.asn1.toDer(rewritten).getBytes(), 'binary');
    if (opensslAccepts(out, passphrase) === true)
      return { ok: true, value: { pfx: out, passphrase, reencoded: true, ...(certificate ? { certificate } : {}) } };
  }
  return fail({
    kind: 'unsupported',
    path,
    message:
      `${path} uses encryption this system's OpenSSL no longer supports. Re-export it, e.g. ` +
      `"openssl pkcs12 -legacy -in old.p12 -nodes | openssl pkcs12 -export -out new.p12".`,
  });
}

function bags(p12: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag[] {
  return p12.getBags({ bagType })[bagType] ?? [];
}

function sameLocalKeyId(a: forge.pkcs12.Bag, b: forge.pkcs12.Bag): boolean {
  const ka = (a.attributes as Record<string, unknown[] | undefined>)['localKeyId']?.[0];
  const kb = (b.attributes as Record<string, unknown[] | undefined>)['localKeyId']?.[0];
  return ka !== undefined && ka === kb;
}

function derOf(bag: forge.pkcs12.Bag): Buffer | undefined {
  // forge keeps non-RSA certificates as raw ASN.1 (bag.cert null); Node parses them all.
  const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : (bag.asn1 as forge.asn1.Asn1 | undefined);
  return asn1 ? Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary') : undefined;
}

function certificateOf(bag: forge.pkcs12.Bag): CertificateDetails | undefined {
  const der = derOf(bag);
  if (!der) return undefined;
  try {
    return describeCertificate(der);
  } catch {
    return undefined;
  }
}

function opensslAccepts(pfx: Buffer, passphrase: string): true | 'refused' | 'key-mismatch' {
  try {
    createSecureContext({ pfx, passphrase });
    return true;
  } catch (e) {
    return /key values mismatch/i.test((e as Error).message) ? 'key-mismatch' : 'refused';
  }
}

function fail(error: ClientCertificateError): { ok: false; error: ClientCertificateError } {
  return { ok: false, error };
}
