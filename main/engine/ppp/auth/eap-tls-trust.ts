// Judging the certificate a server presents *inside* EAP (EAP-TLS, PEAP), as the outer TLS
// certificate is judged: a pin wins, else the chain must reach a trusted CA and name the server.
//
// This runs mid-handshake: in TLS 1.2 our certificate (and, in PEAP, our password) would leave in
// the very next flight, so we cannot wait for OpenSSL's post-handshake verdict. Node exposes the
// server's chain as soon as its Certificate message was processed; we build the path with
// X509Certificate (issuer names, signatures, validity at the injected clock's time, CA flags).
// The failure is deliberately not a 'certificate-untrusted' with a `certificate`: the app and
// the CLI turn that into "pin the VPN server's certificate", which is the wrong certificate here.
import { X509Certificate, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { TrustPolicy } from '../../config.js';
import { failure } from '../../failure.js';
import type { SessionFailure } from '../../failure.js';
import { colonHex, describeLeaf, normaliseFingerprint } from '../../transport/certificate.js';

/** How the inner certificate is judged. */
export interface InnerTrust {
  readonly policy: TrustPolicy;
  /** The name the inner certificate must carry (DNS or IP); undefined skips the name check. */
  readonly serverName?: string;
}

export type InnerVerdict =
  { readonly ok: true; readonly sha256: string } | { readonly ok: false; readonly failure: SessionFailure };

const MAX_DEPTH = 8;

/** `chain` is leaf first, as the server sent it; `now` in ms since the epoch. */
export function judgeInnerCertificate(
  method: string,
  chain: readonly Buffer[],
  trust: InnerTrust,
  now: number,
): InnerVerdict {
  const leafDer = chain[0];
  if (leafDer === undefined)
    return refusal(method, undefined, undefined, 'the server sent no certificate', 'no certificate in the handshake');
  const sha256 = colonHex(createHash('sha256').update(leafDer).digest());
  const refuse = (why: string, detail: string): InnerVerdict => refusal(method, leafDer, sha256, why, detail);
  const plain = sha256.replace(/:/g, '');
  const { policy } = trust;
  if (policy.pinSha256 !== undefined) {
    if (normaliseFingerprint(policy.pinSha256) === plain) return { ok: true, sha256 };
    return refuse('it is not the certificate this profile pins', `pinned ${policy.pinSha256}, presented ${sha256}`);
  }
  if (policy.insecure) return { ok: true, sha256 };
  let certs: X509Certificate[];
  try {
    certs = chain.map((d) => new X509Certificate(d));
  } catch (e) {
    return refuse('it could not be parsed', e instanceof Error ? e.message : String(e));
  }
  const anchors = anchorsOf(policy);
  const path = buildPath(certs, anchors);
  if (!path.ok) return refuse(path.reason, path.reason);
  for (const c of path.certs) {
    if (Date.parse(c.validTo) < now)
      return refuse(
        `${c === certs[0] ? 'it' : 'a certificate in its chain'} has expired (${c.validTo})`,
        `expired: ${c.subject.replace(/\n/g, ', ')}`,
      );
    if (Date.parse(c.validFrom) > now)
      return refuse(
        `it is not valid yet (from ${c.validFrom}) — check this machine's clock`,
        `not yet valid: ${c.validFrom}`,
      );
  }
  const leaf = certs[0];
  if (trust.serverName !== undefined && leaf !== undefined) {
    const name = trust.serverName;
    const matches = isIP(name) !== 0 ? leaf.checkIP(name) !== undefined : leaf.checkHost(name) !== undefined;
    if (!matches) {
      return refuse(
        `it is not issued to ${name} (it names ${leaf.subjectAltName ?? leaf.subject.replace(/\n/g, ', ')})`,
        `name mismatch: expected ${name}`,
      );
    }
  }
  return { ok: true, sha256 };
}

function anchorsOf(policy: TrustPolicy): X509Certificate[] {
  const pems = policy.caPem !== undefined ? splitPem(policy.caPem) : [...rootCertificates];
  const out: X509Certificate[] = [];
  for (const p of pems) {
    try {
      out.push(new X509Certificate(p));
    } catch {
      // An unreadable CA entry trusts nothing; the others still count.
    }
  }
  return out;
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

type Path = { readonly ok: true; readonly certs: X509Certificate[] } | { readonly ok: false; readonly reason: string };

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

/** Leaf → (intermediates the server sent) → a trusted anchor, or the leaf itself is an anchor. */
function buildPath(certs: readonly X509Certificate[], anchors: readonly X509Certificate[]): Path {
  const leaf = certs[0];
  if (leaf === undefined) return { ok: false, reason: 'the server sent no certificate' };
  const path: X509Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (anchors.some((a) => a.fingerprint256 === current.fingerprint256)) return { ok: true, certs: path };
    const anchor = anchors.find((a) => a.ca && issuedBy(current, a));
    if (anchor !== undefined) return { ok: true, certs: [...path, anchor] };
    const next = certs.find((c) => c !== current && !path.includes(c) && c.ca && issuedBy(current, c));
    if (next === undefined) break;
    path.push(next);
    current = next;
  }
  const selfSigned = leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey);
  return {
    ok: false,
    reason: selfSigned ? 'it is self-signed' : 'it was issued by an authority this profile does not trust',
  };
}

function refusal(
  method: string,
  leaf: Buffer | undefined,
  sha256: string | undefined,
  why: string,
  detail: string,
): InnerVerdict {
  const fp = sha256 === undefined ? '' : ` Its SHA-256 fingerprint is ${sha256}.`;
  return {
    ok: false,
    failure: failure(
      'auth',
      'server-auth-failed',
      `The sign-in server's certificate inside ${method} is not trusted: ${why}. Causeway stopped before sending your certificate or password.${fp} ` +
        "If your administrator confirms this fingerprint, set it as the profile's sign-in (EAP) server fingerprint, or configure the CA that issued it.",
      {
        detail: `${method} inner certificate: ${detail}${sha256 === undefined ? '' : ` (sha256 ${sha256})`}`,
        ...(leaf !== undefined ? { eapCertificate: describeLeaf(leaf) } : {}),
      },
    ),
  };
}
