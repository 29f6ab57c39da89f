// A failed attempt's certificate turned into the user's question, and an accepted question turned into
// the pin it means. The server's TLS certificate and the sign-in (EAP) server's own certificate are
// separate questions, pinned into tls and eapTrust respectively.
import type { CertificateInfo } from '../../engine/certificate-info.js';
import type { SessionFailure } from '../../engine/failure.js';
import type { TrustPrompt } from '../../contract/model.js';
import type { Profile } from '../../contract/profile.js';
import { displayFingerprint } from '../trust/certificate.js';
import type { TrustPrompts } from './trust-prompts.js';

/** Opens the question a failure asks, if any (untrusted or changed certificate); undefined otherwise. */
export function openCertificatePrompt(
  prompts: TrustPrompts,
  profile: Profile,
  f: SessionFailure,
  password: string | undefined,
): TrustPrompt | undefined {
  if (f.eapCertificate) return openEapCertificatePrompt(prompts, profile, f.eapCertificate, f.message, password);
  if (!f.certificate) return undefined;
  if (f.code !== 'certificate-untrusted' && f.code !== 'certificate-pin-mismatch') return undefined;
  const changed = f.code === 'certificate-pin-mismatch';
  return prompts.open({
    profileId: profile.id,
    profileName: profile.name,
    kind: changed ? 'changed' : 'unknown',
    certificate: f.certificate,
    message: f.message,
    ...(changed && profile.tls.pinnedSha256 ? { expected: displayFingerprint(profile.tls.pinnedSha256) } : {}),
    ...(password !== undefined ? { password } : {}),
  });
}

/** The sign-in (EAP) server's own certificate: its own question, pinned into eapTrust if accepted. */
function openEapCertificatePrompt(
  prompts: TrustPrompts,
  profile: Profile,
  certificate: CertificateInfo,
  message: string,
  password: string | undefined,
): TrustPrompt {
  const was = profile.eapTrust?.pinnedSha256;
  const expected = was !== undefined ? { expected: displayFingerprint(was) } : {};
  const kind = was !== undefined ? 'changed' : 'unknown';
  return prompts.open({
    profileId: profile.id,
    profileName: profile.name,
    kind,
    certificate,
    message,
    target: 'eap',
    ...expected,
    ...(password !== undefined ? { password } : {}),
  });
}

/** "Trust this certificate for this profile": the profile edit that pins the prompt's certificate. */
export function pinFor(prompt: TrustPrompt): (p: Profile) => Profile {
  const { certificate, target } = prompt;
  const pinSha256 = certificate.sha256.replace(/:/g, '').toLowerCase();
  return (p) =>
    target === 'eap'
      ? { ...p, eapTrust: { ...p.eapTrust, pinnedSha256: pinSha256 } }
      : { ...p, tls: { ...p.tls, pinnedSha256: certificate.sha256 } };
}
