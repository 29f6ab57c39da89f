// The user-facing wording of the failures SstpSession raises itself (issue 16: wording in one place,
// beside the state machine, as sstp/control-failures.ts does for the SSTP call). Each message says
// what happened and what to do next.
import { failure, type Phase, type SessionFailure } from './failure.js';

export function sessionAlreadyUsed(): SessionFailure {
  return failure('tcp', 'cancelled', 'This session was already used; create a new one.');
}

export function negotiationTimedOut(phase: Phase, timeoutMs: number): SessionFailure {
  return failure(
    phase,
    'negotiation-timeout',
    `The server did not complete the connection within ${timeoutMs / 1000} s (stuck at ${phase}). Try again; if it persists, the server may be overloaded or misconfigured.`,
  );
}

export function attemptCancelled(phase: Phase): SessionFailure {
  return failure(phase, 'cancelled', 'The connection attempt was cancelled.');
}

export function notSstp(phase: Phase, detail: string): SessionFailure {
  return failure(
    phase,
    'protocol-error',
    'The server sent data that is not SSTP. The connection was closed; try again, and report it to the server administrator if it repeats.',
    { detail },
  );
}

/** TLS alerts by which a server refuses a missing or unwanted client certificate. */
export function isClientCertificateAlert(detail: string): boolean {
  return /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|ACCESS_DENIED/i.test(
    detail,
  );
}

export function clientCertificateAlert(detail: string): SessionFailure {
  return failure(
    'tls',
    'tls-failed',
    'The server requires a client certificate, or refused the one given. Add the right client certificate to the profile.',
    { detail },
  );
}

/** The server hung up (no alert) between our TLS handshake and its HTTP answer, with a client certificate given. */
export function clientCertificateRefused(why: string): SessionFailure {
  return failure(
    'tls',
    'tls-failed',
    'The server closed the connection right after the TLS handshake: it most likely refused the client certificate. Check that it is the one your administrator issued for this server and that it is still valid.',
    { detail: `closed before the HTTP answer: ${why}` },
  );
}

export function connectionLost(phase: Phase, why: string): SessionFailure {
  return failure(
    phase,
    'connection-lost',
    'The connection to the server was lost. Check your network; Causeway can reconnect.',
    { detail: why },
  );
}
