// The verdict on a server certificate for one profile. Three outcomes a UI treats very differently:
// trusted (go on), unknown (show the certificate, offer to trust it once), pin-mismatch (a certificate
// the user trusted has changed: possible interception — never offer a one-click accept alongside it).
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import {
  describeCertificate,
  describeChain,
  displayFingerprint,
  isSelfSigned,
  normalizeFingerprint,
  sha256Hex,
  type CertificateDetails,
} from './certificate.js';
import type { Profile } from '../../contract/profile.js';

export type CertificateProblem =
  | 'expired'
  | 'not-yet-valid'
  | 'self-signed' // and not among the trusted anchors
  | 'untrusted-issuer' // no path to a trusted anchor
  | 'host-mismatch'; // the certificate does not name the host we connected to

export type TrustDecision =
  | { readonly kind: 'trusted'; readonly by: 'pin' | 'ca' | 'insecure'; readonly certificate: CertificateDetails }
  | {
      readonly kind: 'unknown';
      readonly problems: readonly CertificateProblem[];
      readonly certificate: CertificateDetails;
      /** The whole presented chain, leaf first, for the "details" view. */
      readonly chain: readonly CertificateDetails[];
    }
  | {
      readonly kind: 'pin-mismatch';
      /** Fingerprints in display form ("AB:CD:…"). */
      readonly expected: string;
      readonly presented: string;
      readonly certificate: CertificateDetails;
    };

export interface DecideOptions {
  /** Trust anchors: the profile's CA file, or the system roots when it has none (see anchorsFor). */
  readonly anchors: readonly X509Certificate[];
  readonly now?: number;
}

const MAX_DEPTH = 8;

/** `chain` is what the server presented, leaf first, DER. */
export function decideTrust(
  profile: Pick<Profile, 'server' | 'tls'>,
  chain: readonly Uint8Array[],
  opts: DecideOptions,
): TrustDecision {
  const [leafDer] = chain;
  if (!leafDer) throw new RangeError('decideTrust needs at least the leaf certificate');
  const leaf = new X509Certificate(Buffer.from(leafDer));
  const certificate = describeCertificate(leaf);

  const pinned = profile.tls.pinnedSha256;
  if (pinned !== undefined) {
    const presented = sha256Hex(leaf.raw);
    if (presented === normalizeFingerprint(pinned)) return { kind: 'trusted', by: 'pin', certificate };
    return {
      kind: 'pin-mismatch',
      expected: displayFingerprint(pinned),
      presented: displayFingerprint(presented),
      certificate,
    };
  }
  if (profile.tls.insecure) return { kind: 'trusted', by: 'insecure', certificate };

  const intermediates = chain.slice(1).map((d) => new X509Certificate(Buffer.from(d)));
  const problems = new Set<CertificateProblem>();
  const now = opts.now ?? Date.now();
  const path = buildPath(leaf, intermediates, opts.anchors);
  if (!path.anchored) problems.add(isSelfSigned(leaf) ? 'self-signed' : 'untrusted-issuer');
  for (const c of path.certificates) {
    if (Date.parse(c.validTo) < now) problems.add('expired');
    if (Date.parse(c.validFrom) > now) problems.add('not-yet-valid');
  }
  if (!namesHost(leaf, profile.tls.sni ?? profile.server.host)) problems.add('host-mismatch');

  if (problems.size === 0) return { kind: 'trusted', by: 'ca', certificate };
  return { kind: 'unknown', problems: [...problems], certificate, chain: describeChain([leaf, ...intermediates]) };
}

function signedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

// Walk leaf → presented intermediates (CA certificates only) → an anchor. An anchor may also be the
// leaf itself: a self-signed server certificate imported as the profile's CA.
function buildPath(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): { anchored: boolean; certificates: X509Certificate[] } {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (anchors.some((a) => a.raw.equals(current.raw))) return { anchored: true, certificates: path };
    const anchor = anchors.find((a) => signedBy(current, a));
    if (anchor) return { anchored: true, certificates: [...path, anchor] };
    const next = intermediates.find((i) => i.ca && !path.includes(i) && signedBy(current, i));
    if (!next) break;
    path.push(next);
    current = next;
  }
  return { anchored: false, certificates: path };
}

function namesHost(leaf: X509Certificate, host: string): boolean {
  return isIP(host) ? leaf.checkIP(host) !== undefined : leaf.checkHost(host) !== undefined;
}
