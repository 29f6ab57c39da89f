// Trust on first use for the command line: when a server's certificate is not trusted, show it in full
// and print the one command that pins it. Nothing is trusted implicitly: the person reads the
// certificate, checks the fingerprint with the server's administrator, and runs the command themselves.
// A changed pin gets a warning, not an invitation: that is what interception looks like.
import type { CertificateInfo } from '../../engine/certificate-info.js';
import type { SessionFailure } from '../../engine/failure.js';
import type { Output } from '../output.js';
import { eapTrustHintFor, formatEapTrustHint } from '../eap-trust-hint.js';
import { shellQuote } from '../shell-quote.js';

export { shellQuote };

export interface TrustHint {
  readonly event: 'trust-hint';
  readonly code: 'certificate-untrusted' | 'certificate-pin-mismatch';
  readonly certificate: CertificateInfo;
  /** `sha256:` + 64 lower-case hex digits, as --pin takes it. */
  readonly pin: string;
  /** The command that trusts exactly this certificate. */
  readonly command: string;
}

/** `profile` is the profile's name when the target was one; otherwise the hint is a --pin for this run. */
export function trustHintFor(
  failure: SessionFailure | undefined,
  profile: string | undefined,
  target: string,
): TrustHint | undefined {
  if (!failure?.certificate) return undefined;
  if (failure.code !== 'certificate-untrusted' && failure.code !== 'certificate-pin-mismatch') return undefined;
  const pin = `sha256:${failure.certificate.sha256.replace(/:/g, '').toLowerCase()}`;
  const command =
    profile !== undefined
      ? `causeway profiles edit ${shellQuote(profile)} --pin ${pin}`
      : `causeway test ${shellQuote(target)} --pin ${pin} …`;
  return { event: 'trust-hint', code: failure.code, certificate: failure.certificate, pin, command };
}

export function formatTrustHint(h: TrustHint): string {
  const c = h.certificate;
  const lines = [
    '',
    h.code === 'certificate-pin-mismatch'
      ? 'WARNING: the server presented a DIFFERENT certificate from the one you pinned. Someone may be intercepting the connection.'
      : 'The server certificate is not trusted. Check it before you trust it:',
    `  subject     ${c.subject}`,
    `  issuer      ${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}`,
    `  valid       ${c.validFrom} to ${c.validTo}`,
    `  names       ${c.subjectAltNames.join(', ') || '(none)'}`,
    `  serial      ${c.serialNumber}`,
    `  SHA-256     ${c.sha256}`,
    '',
    h.code === 'certificate-pin-mismatch'
      ? "Only if the server's administrator confirms this new fingerprint (e.g. the certificate was renewed), trust it with:"
      : "If the SHA-256 fingerprint matches what the server's administrator gave you, trust exactly this certificate with:",
    `  ${h.command}`,
  ];
  return lines.join('\n') + '\n';
}

/** Adds the hint to a failed result: a JSON line before the result (which stays last), or text after it. */
export function withTrustHint(
  out: Output,
  json: boolean,
  write: (text: string) => void,
  profile: string | undefined,
  target: string,
): Output {
  return {
    ...out,
    result: (r) => {
      const hint = trustHintFor(r.failure, profile, target);
      // The sign-in (EAP) server's certificate has its own flag (--eap-pin); never both hints at once.
      const eap = hint ? undefined : eapTrustHintFor(r.failure, profile, target);
      if (hint && json) write(JSON.stringify(hint) + '\n');
      if (eap && json) write(JSON.stringify(eap) + '\n');
      out.result(r);
      if (hint && !json) write(formatTrustHint(hint));
      if (eap && !json) write(formatEapTrustHint(eap));
    },
  };
}
