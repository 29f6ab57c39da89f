// The one failure value a session reports. Every fatal path ends in exactly one of these.
import type { CertificateInfo } from './certificate-info.js';

/** Where in the connection sequence the failure happened. */
export type Phase =
  'tcp' | 'proxy' | 'tls' | 'http' | 'sstp' | 'lcp' | 'auth' | 'ipcp' | 'ipv6cp' | 'connected' | 'disconnect';

/** What went wrong. Stable strings: the CLI maps them to exit codes, the UI to explanations. */
export type FailureCode =
  | 'network-unreachable' // TCP connect refused / unreachable / DNS failure / connect timeout
  | 'tls-failed' // handshake failed for a reason other than trust (protocol version, cipher, reset)
  | 'certificate-untrusted' // chain or host name not trusted; `certificate` carries the details
  | 'certificate-pin-mismatch' // a pinned certificate changed: possible interception
  | 'proxy-failed' // proxy unreachable or refused CONNECT
  | 'proxy-auth-failed' // proxy answered 407
  | 'http-refused' // the SSTP HTTP handshake got something other than 200
  | 'sstp-negotiation-failed' // CALL_CONNECT_NAK exhausted, bad CONNECT_ACK, unsupported binding
  | 'auth-method-refused' // no authentication method both sides accept
  | 'auth-failed' // the server rejected our credentials
  | 'server-auth-failed' // the server failed to prove itself (bad MS-CHAPv2 authenticator response)
  | 'ppp-negotiation-failed' // LCP/IPCP could not converge (Max-Failure, rejected essentials)
  | 'negotiation-timeout' // a phase did not finish in time
  | 'peer-abort' // server sent CALL_ABORT
  | 'peer-disconnect' // server sent CALL_DISCONNECT or LCP Terminate-Request
  | 'dead-peer' // no answer to echo requests
  | 'protocol-error' // malformed or unexpected packet from the server
  | 'connection-lost' // TCP/TLS closed underneath us
  | 'data-path-failed' // the tunnel came up but carried no traffic (no echo reply)
  | 'cancelled'; // the user (or the program) asked to stop

export interface SessionFailure {
  readonly phase: Phase;
  readonly code: FailureCode;
  /** One or two sentences for a person: what happened and what to do next. Never contains a secret. */
  readonly message: string;
  /** Technical detail for logs (error codes, status values, field names). Never contains a secret. */
  readonly detail?: string;
  /** Present for certificate-untrusted / certificate-pin-mismatch so a UI can offer to trust it. */
  readonly certificate?: CertificateInfo;
  /**
   * The certificate a server presented inside EAP (EAP-TLS, PEAP) when that one was not trusted: its
   * own trust decision (SessionConfig.eapTrust), never to be pinned as the outer certificate.
   */
  readonly eapCertificate?: CertificateInfo;
}

export function failure(
  phase: Phase,
  code: FailureCode,
  message: string,
  extra: { detail?: string; certificate?: CertificateInfo; eapCertificate?: CertificateInfo } = {},
): SessionFailure {
  return { phase, code, message, ...extra };
}
