// Exit codes are part of the CLI's contract (documented in --help and README).
import type { FailureCode } from '../engine/failure.js';

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  network: 3,
  certificate: 4,
  auth: 5,
  protocol: 6,
  proxy: 7,
} as const;

export function exitCodeFor(code: FailureCode): number {
  switch (code) {
    case 'network-unreachable':
    case 'tls-failed':
    case 'connection-lost':
      return EXIT.network;
    case 'certificate-untrusted':
    case 'certificate-pin-mismatch':
      return EXIT.certificate;
    case 'auth-failed':
    case 'auth-method-refused':
      return EXIT.auth;
    case 'proxy-failed':
    case 'proxy-auth-failed':
      return EXIT.proxy;
    case 'http-refused':
    case 'sstp-negotiation-failed':
    case 'server-auth-failed':
    case 'ppp-negotiation-failed':
    case 'negotiation-timeout':
    case 'peer-abort':
    case 'peer-disconnect':
    case 'dead-peer':
    case 'protocol-error':
    case 'data-path-failed':
      return EXIT.protocol;
    case 'cancelled':
      return EXIT.failure;
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  other failure (the helper could not start, keychain unreachable, prompt cancelled, …)
  2  usage error (bad or missing options)
  3  network or TLS failure (server unreachable, handshake failed, connection lost)
  4  server certificate not trusted (or a pinned certificate changed)
  5  authentication failed (wrong user name/password, or no method both sides allow)
  6  protocol or negotiation failure (incl. a server that failed to authenticate itself)
  7  proxy failure (unreachable, refused CONNECT, or proxy authentication failed)`;

/** For the commands that never talk to a server (profiles, import, export, logs, status, disconnect). */
export const LOCAL_EXIT_CODES_HELP = `Exit codes:
  0  success
  1  failure (not found, unreadable or unwritable files, keychain unreachable, …)
  2  usage error (bad or missing options)`;
