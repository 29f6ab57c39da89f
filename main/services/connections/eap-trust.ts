// A profile's sign-in (EAP) server trust → the engine's EapTrust, and whether a profile's methods need
// a password at all. Shared by the app's session config and the CLI's profile target so both read a
// profile the same way.
import { readFile } from 'node:fs/promises';
import type { AuthMethod, EapTrust, TrustPolicy } from '../../engine/config.js';
import type { ProfileEapTrust } from '../../contract/profile.js';
import { parseCertificates } from '../trust/certificate.js';

export type EapTrustResult = { ok: true; trust: EapTrust | undefined } | { ok: false; message: string };

/**
 * Methods that sign in with a certificate alone. EAP-TLS proves the user by the client certificate;
 * PEAP and the MS-CHAP family all need a password.
 */
const CERTIFICATE_ONLY: ReadonlySet<AuthMethod> = new Set<AuthMethod>(['eap-tls']);

/** A password is needed unless every allowed method is certificate-only (then '' is sent, and never asked). */
export function needsPassword(methods: readonly AuthMethod[]): boolean {
  return methods.some((m) => !CERTIFICATE_ONLY.has(m));
}

/**
 * Undefined when the profile says nothing: the engine then judges the inner certificate like the outer
 * one (outer policy, outer name). A server name alone keeps the outer policy (`outer`) and checks that name.
 */
export async function eapTrustFor(field: ProfileEapTrust | undefined, outer: TrustPolicy): Promise<EapTrustResult> {
  if (field === undefined) return { ok: true, trust: undefined };
  let caPem: string | undefined;
  if (field.caFile !== undefined) {
    const path = field.caFile;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      return { ok: false, message: `Cannot read the sign-in (EAP) server's CA file ${path}: ${(e as Error).message}` };
    }
    const parsed = parseCertificates(bytes);
    if (!parsed.ok)
      return { ok: false, message: `The sign-in (EAP) server's CA file ${path}: ${parsed.error.message}` };
    caPem = parsed.certificates.map((c) => c.toString()).join('');
  }
  const own = caPem !== undefined || field.pinnedSha256 !== undefined;
  // An empty object would replace the outer trust with "system CAs, no name": keep the default instead.
  if (!own && field.serverName === undefined) return { ok: true, trust: undefined };
  const policy: TrustPolicy = own
    ? {
        ...(caPem !== undefined ? { caPem } : {}),
        ...(field.pinnedSha256 !== undefined ? { pinSha256: field.pinnedSha256 } : {}),
      }
    : outer;
  return {
    ok: true,
    trust: { ...policy, ...(field.serverName !== undefined ? { serverName: field.serverName } : {}) },
  };
}
