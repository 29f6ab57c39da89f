// The engine's TrustPolicy built from a profile: its pin, its opt-in to insecure, and its CA file.
// Like Node's TLS `ca` option (which the engine passes it to), a profile's CA file replaces the system
// roots rather than adding to them: a private-CA profile should not also accept any public CA's
// certificate for its host. The decision itself is the engine's (transport/tls-judge.ts).
import { readFile } from 'node:fs/promises';
import type { TrustPolicy } from '../../engine/config.js';
import type { Profile } from '../../contract/profile.js';
import { parseCertificates } from './certificate.js';

export type CaFileError = { kind: 'ca-file-unreadable' | 'ca-file-invalid'; path: string; message: string };
/** The profile's CA file as PEM (what the engine's TrustPolicy takes), or none: the system roots. */
async function caPemFor(
  profile: Pick<Profile, 'tls'>,
): Promise<{ ok: true; caPem?: string } | { ok: false; error: CaFileError }> {
  const path = profile.tls.caFile;
  if (path === undefined) return { ok: true };
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
  return { ok: true, caPem: parsed.certificates.map((c) => c.toString()).join('') };
}

/** The engine's view of a profile's trust settings. */
export async function trustPolicyFor(
  profile: Pick<Profile, 'tls'>,
): Promise<{ ok: true; policy: TrustPolicy } | { ok: false; error: CaFileError }> {
  const a = await caPemFor(profile);
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
