// A client certificate given as PEM: the certificate (chain) stays in its file, the private key goes to
// the keychain ('client-key'), decrypted once at import so no key passphrase has to be kept as well.
// The engine's TLS (and EAP-TLS) take a PKCS#12 { pfx, passphrase }, so the pair is packed into one in
// memory at each connection with a random passphrase. forge does the packing and reads only RSA keys;
// an EC key is told apart with a way forward rather than failing deep inside TLS.
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import type forgeModule from 'node-forge';
import { checkClientLeaf } from './client-certificate-checks.js';
import { describeCertificate, parseCertificates } from './certificate.js';
import type { ClientCertificateError, LoadedClientCertificate } from './client-certificate-types.js';

export type KeyImport =
  | { ok: true; keyPem: string }
  | { ok: false; error: { kind: 'not-a-key' | 'wrong-passphrase' | 'passphrase-missing'; message: string } };

/** The key file's text and, for an encrypted key, its passphrase → an unencrypted PKCS#8 PEM for the keychain. */
export function importPrivateKey(text: string, passphrase: string | undefined, path = 'the key file'): KeyImport {
  if (!/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    return {
      ok: false,
      error: { kind: 'not-a-key', message: `${path} holds no PEM private key ("BEGIN PRIVATE KEY").` },
    };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: text,
      format: 'pem',
      ...(passphrase !== undefined && passphrase !== '' ? { passphrase } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const encrypted = /ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(text);
    if (encrypted && (passphrase === undefined || passphrase === '')) {
      return {
        ok: false,
        error: { kind: 'passphrase-missing', message: `The private key in ${path} is encrypted; give its passphrase.` },
      };
    }
    if (encrypted)
      return {
        ok: false,
        error: { kind: 'wrong-passphrase', message: `The passphrase for the private key in ${path} is wrong.` },
      };
    return {
      ok: false,
      error: { kind: 'not-a-key', message: `${path} holds no readable private key (${err.code ?? err.message}).` },
    };
  }
  return { ok: true, keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

// forge (~10 MB of RSS in a bare Node) loads only when a pair is packed, not with every process that can connect.
let forgeLoading: Promise<typeof forgeModule> | undefined;
const loadForge = (): Promise<typeof forgeModule> => (forgeLoading ??= import('node-forge').then((m) => m.default));

/** Checks the pair and packs it for TLS. `certText` is the certificate file (leaf first, chain after). */
export async function openPemClientCertificate(
  certText: string,
  keyPem: string,
  path: string,
  now: Date,
): Promise<{ ok: true; value: LoadedClientCertificate } | { ok: false; error: ClientCertificateError }> {
  const parsed = parseCertificates(certText);
  if (!parsed.ok || parsed.certificates.length === 0 || !certText.includes('BEGIN CERTIFICATE')) {
    return {
      ok: false,
      error: { kind: 'not-a-certificate', path, message: `${path} holds no PEM certificate ("BEGIN CERTIFICATE").` },
    };
  }
  const [leaf, ...chain] = parsed.certificates;
  if (!leaf)
    return { ok: false, error: { kind: 'not-a-certificate', path, message: `${path} holds no PEM certificate.` } };
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    return {
      ok: false,
      error: {
        kind: 'key-missing',
        path,
        message: `The private key saved for ${path} cannot be read; choose the key file again.`,
      },
    };
  }
  const problem = checkClientLeaf(leaf.raw, key, now, path);
  if (problem) return { ok: false, error: { ...problem, path } };
  if (key.asymmetricKeyType !== 'rsa') {
    return {
      ok: false,
      error: {
        kind: 'unsupported',
        path,
        message: `Causeway can use a PEM client certificate only with an RSA key (this one is ${key.asymmetricKeyType ?? 'unknown'}). Pack it into a PKCS#12 file instead: "openssl pkcs12 -export -inkey key.pem -in ${path} -out me.p12", and choose that.`,
      },
    };
  }
  const forge = await loadForge();
  const passphrase = randomBytes(18).toString('base64');
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(keyPem),
    [leaf, ...chain].map((c) =>
      forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(c.raw.toString('binary')))),
    ),
    passphrase,
    { algorithm: 'aes256', generateLocalKeyId: true },
  );
  const pfx = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
  return { ok: true, value: { pfx, passphrase, reencoded: false, certificate: describeCertificate(leaf.raw) } };
}
