// How PEAP failures read: like EAP-TLS's, but PEAP sends no client certificate, so a TLS alert or
// an EAP-Failure is about the tunnel or the password, never "your certificate".
import { failure } from '../../failure.js';
import type { SessionFailure } from '../../failure.js';
import { PEAP_METHOD } from './peap-inner.js';
import type { TlsOverEapError } from './tls-over-eap.js';

/** The server's inner MS-CHAPv2 verdict, with the method named for the person reading it. */
export function peapRejected(inner: SessionFailure): SessionFailure {
  return { ...inner, message: `Sign-in with ${PEAP_METHOD} was refused. ${inner.message}` };
}

export function peapTlsFailed(e: TlsOverEapError): SessionFailure {
  const what =
    e.kind === 'alert'
      ? `the server ended the protected tunnel (TLS alert "${e.alert}")`
      : `the protected tunnel could not be set up: ${e.message}`;
  return failure(
    'auth',
    'auth-failed',
    `${PEAP_METHOD}: ${what}. The server may not accept this TLS version or cipher; try again, and if it persists, tell your administrator.`,
    {
      detail: `${PEAP_METHOD}: TLS ${e.kind}: ${e.message}`,
    },
  );
}

/** EAP-Failure with no inner verdict: the server refused before or without MS-CHAPv2 telling why. */
export function peapRefused(tunnelUp: boolean): SessionFailure {
  return failure(
    'auth',
    'auth-failed',
    tunnelUp
      ? `The server refused the sign-in with ${PEAP_METHOD}. Check your user name and password; if they are right, ask your administrator whether your account may use this VPN.`
      : `The server ended ${PEAP_METHOD} before the protected tunnel was up. It may not allow PEAP for this account: ask your administrator which sign-in method to use.`,
    {
      detail: `${PEAP_METHOD}: EAP-Failure ${tunnelUp ? 'inside the tunnel, without an MS-CHAPv2 Failure' : 'before the TLS tunnel was up'}`,
    },
  );
}
