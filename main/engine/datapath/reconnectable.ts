// Which failures are worth retrying on our own. Retrying a wrong password or an untrusted certificate
// would only lock the account or hide the problem from the person who must decide.
import type { FailureCode } from '../failure.js';

export function isReconnectable(code: FailureCode): boolean {
  switch (code) {
    case 'connection-lost':
    case 'dead-peer':
    case 'peer-abort':
    case 'peer-disconnect':
    case 'network-unreachable':
    case 'tls-failed':
    case 'negotiation-timeout':
    case 'protocol-error':
    case 'proxy-failed':
    case 'http-refused':
    case 'sstp-negotiation-failed':
    case 'ppp-negotiation-failed':
    case 'data-path-failed':
      return true;
    case 'auth-failed':
    case 'auth-method-refused':
    case 'server-auth-failed':
    case 'certificate-untrusted':
    case 'certificate-pin-mismatch':
    case 'proxy-auth-failed':
    case 'cancelled':
      return false;
  }
}
