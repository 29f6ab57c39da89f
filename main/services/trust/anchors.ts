// Which certificates a profile trusts as roots, and the engine's TrustPolicy built from a profile.
// Like Node's TLS `ca` option, a profile's CA file replaces the system roots rather than adding to them:
// a private-CA profile should not also accept any public CA's certificate for its host.
import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import type { TrustPolicy } from '../../engine/config.js';
import type { Profile } from '../../contract/profile.js';
import { parseCertificates } from './certificate.js';

export type CaFileError = { kind: 'ca-file-unreadable' | 'ca-file-invalid'; path: string; message: string };
export type AnchorsResult =
  { ok: true; anchors: X509Certificate[]; caPem?: string } | { ok: false; error: CaFileError };

let systemRoots: X509Certificate[] | undefined;

export function systemAnchors(): X509Certificate[] {
  systemRoots ??= rootCertificates.flatMap((pem) => {
    const r = parseCertificates(pem);
    return r.ok ? r.certificates : [];
  });
  return systemRoots;
}

export async function anchorsFor(profile: Pick<Profile, 'tls'>): Promise<AnchorsResult> {
  const path = profile.tls.caFile;
  if (path === undefined) return { ok: true, anchors: systemAnchors() };
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return {
      ok: false,
      error: { kind: 'ca-file-unreadable', path, message: `Cannot read the CA file ${path}: ${(e as Error).message}` },
    };
  }
  const parsed = parseCertificates(bytes);
  if (!parsed.ok)
    return { ok: false, error: { kind: 'ca-file-invalid', path, message: `${path}: ${parsed.error.message}` } };
  const caPem = parsed.certificates.map((c) => c.toString()).join('');
  return { ok: true, anchors: parsed.certificates, caPem };
}

/** The engine's view of a profile's trust settings. */
export async function trustPolicyFor(
  profile: Pick<Profile, 'tls'>,
): Promise<{ ok: true; policy: TrustPolicy } | { ok: false; error: CaFileError }> {
  const a = await anchorsFor(profile);
  if (!a.ok) return a;
  return {
    ok: true,
    policy: {
      ...(a.caPem !== undefined ? { caPem: a.caPem } : {}),
      ...(profile.tls.pinnedSha256 !== undefined ? { pinSha256: profile.tls.pinnedSha256 } : {}),
      ...(profile.tls.insecure ? { insecure: true } : {}),
    },
  };
}
