// Trust on first use for the sign-in (EAP) server's certificate, presented inside EAP-TLS / PEAP. It is
// not the VPN server's certificate (that one is --pin), so the hint names the flag that trusts exactly
// it: --eap-pin. As for the outer certificate, nothing is trusted implicitly: the person checks the
// fingerprint with the administrator and runs the printed command.
import type { CertificateInfo } from '../engine/certificate-info.js';
import type { SessionFailure } from '../engine/failure.js';
import { shellQuote } from './shell-quote.js';

export interface EapTrustHint {
  readonly event: 'eap-trust-hint';
  readonly certificate: CertificateInfo;
  /** `sha256:` + 64 lower-case hex digits, as --eap-pin takes it. */
  readonly pin: string;
  /** The command that trusts exactly this certificate for sign-in. */
  readonly command: string;
}

/** `profile` is the profile's name when the target was one; otherwise the hint is an --eap-pin for this run. */
export function eapTrustHintFor(
  failure: SessionFailure | undefined,
  profile: string | undefined,
  target: string,
): EapTrustHint | undefined {
  const cert = failure?.eapCertificate;
  if (!cert) return undefined;
  const pin = `sha256:${cert.sha256.replace(/:/g, '').toLowerCase()}`;
  const command =
    profile !== undefined
      ? `causeway profiles edit ${shellQuote(profile)} --eap-pin ${pin}`
      : `causeway test ${shellQuote(target)} --eap-pin ${pin} …`;
  return { event: 'eap-trust-hint', certificate: cert, pin, command };
}

export function formatEapTrustHint(h: EapTrustHint): string {
  const c = h.certificate;
  return (
    [
      '',
      'The sign-in (EAP) server certificate is not trusted. It is the certificate of the server that checks',
      "your sign-in (e.g. NPS or RADIUS), not the VPN server's. Check it before you trust it:",
      `  subject     ${c.subject}`,
      `  issuer      ${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}`,
      `  valid       ${c.validFrom} to ${c.validTo}`,
      `  names       ${c.subjectAltNames.join(', ') || '(none)'}`,
      `  SHA-256     ${c.sha256}`,
      '',
      'If the SHA-256 fingerprint matches what your administrator gave you, trust exactly this certificate with:',
      `  ${h.command}`,
      'or trust its CA with --eap-ca FILE (and --eap-server-name NAME to check its name).',
    ].join('\n') + '\n'
  );
}
