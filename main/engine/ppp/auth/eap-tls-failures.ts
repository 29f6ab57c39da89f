// How EAP-TLS (and PEAP) failures read to the person who has to act on them.
import type { X509Certificate } from 'node:crypto';
import { failure } from '../../failure.js';
import type { SessionFailure } from '../../failure.js';
import { describeReassemblyError } from './eap-tls-fragments.js';
import type { ReassemblyError } from './eap-tls-fragments.js';
import type { TlsOverEapError } from './tls-over-eap.js';

export function noClientCertificate(method: string): SessionFailure {
  return failure(
    'auth',
    'auth-failed',
    `The server asks for ${method} (sign-in with a certificate), but this profile has no client certificate. Import your certificate into the profile, or ask the administrator which sign-in method to use.`,
    {
      detail: `${method}: no client certificate configured`,
    },
  );
}

export function malformedFromServer(method: string, what: string): SessionFailure {
  return failure(
    'auth',
    'protocol-error',
    `The server sent a malformed ${method} message; the sign-in was stopped. Try again; if it persists, tell your administrator.`,
    {
      detail: `${method}: ${what}`,
    },
  );
}

export function reassemblyFailed(method: string, e: ReassemblyError): SessionFailure {
  return malformedFromServer(method, describeReassemblyError(e));
}

/** TLS inside EAP ended: `ours` is our own certificate (to explain an expiry), `now` the clock's time. */
export function tlsFailed(
  method: string,
  e: TlsOverEapError,
  ours: X509Certificate | undefined,
  now: number,
): SessionFailure {
  switch (e.kind) {
    case 'client-certificate':
      return failure(
        'auth',
        'auth-failed',
        `Your client certificate could not be used: ${e.message}. Check the certificate file and its passphrase, then import it again.`,
        {
          detail: `${method}: client certificate: ${e.message}`,
        },
      );
    case 'alert':
      return failure(
        'auth',
        'auth-failed',
        `The server refused your client certificate during ${method} (TLS alert "${e.alert}"). ${certificateAdvice(ours, now)}`,
        {
          detail: `${method}: TLS alert from the server: ${e.message}`,
        },
      );
    case 'tls':
      return failure(
        'auth',
        'auth-failed',
        `The ${method} handshake with the server failed: ${e.message}. Try again; if it persists, tell your administrator.`,
        {
          detail: `${method}: TLS: ${e.message}`,
        },
      );
  }
}

/** EAP-Failure after (or during) the TLS exchange: the server did not accept our certificate for this user. */
export function certificateRefused(
  method: string,
  user: string,
  ours: X509Certificate | undefined,
  now: number,
  handshakeDone: boolean,
): SessionFailure {
  const who = ours === undefined ? '' : ` (${subjectCn(ours)}, issued by ${issuerCn(ours)})`;
  return failure(
    'auth',
    'auth-failed',
    `The server refused to sign in "${user}" with your client certificate${who}. ${certificateAdvice(ours, now)}`,
    { detail: `${method}: EAP-Failure ${handshakeDone ? 'after' : 'before the end of'} the TLS handshake` },
  );
}

export function serverSkippedTls(method: string, detail: string): SessionFailure {
  return failure(
    'auth',
    'server-auth-failed',
    `The server reported success without completing ${method}, so it never proved its identity: possible man-in-the-middle — do not connect. Tell your administrator.`,
    { detail: `${method}: ${detail}` },
  );
}

function certificateAdvice(ours: X509Certificate | undefined, now: number): string {
  if (ours !== undefined) {
    if (Date.parse(ours.validTo) < now)
      return `Your certificate expired on ${new Date(ours.validTo).toISOString().slice(0, 10)}: get a renewed one from your administrator and import it.`;
    if (Date.parse(ours.validFrom) > now)
      return `Your certificate is not valid until ${new Date(ours.validFrom).toISOString()}: check this machine's clock.`;
  }
  return 'It may be issued by an authority the server does not trust, revoked, or not registered for this user name: check the certificate and the user name with your administrator.';
}

function subjectCn(x: X509Certificate): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1] ?? x.subject.replace(/\n/g, ', ');
}

function issuerCn(x: X509Certificate): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(x.issuer)?.[1] ?? x.issuer.replace(/\n/g, ', ');
}
