// The failures a PppLink reports, worded for the person who has to act on them. Kept apart from
// link.ts so the phase machine reads as a machine; every function here is pure.
import type { AuthMethod } from '../config.js';
import { failure } from '../failure.js';
import type { Phase, SessionFailure } from '../failure.js';
import type { PppEvent, State } from './automaton.js';
import type { NcpEnd } from './ncp.js';
import { protocolName } from './protocols.js';

export function deadPeer(phase: Phase, unanswered: number): SessionFailure {
  return failure(phase, 'dead-peer', 'The server stopped answering; the connection was lost.', {
    detail: `no frame received after ${unanswered} LCP Echo-Requests`,
  });
}

/** LCP left Opened for a reason other than our close, a Terminate-Request or a renegotiation we carry on through. */
export function lcpLeftOpened(phase: Phase, cause: PppEvent): SessionFailure {
  if (cause === 'RXJ-')
    return failure(phase, 'protocol-error', 'The server rejected a basic PPP packet type.', {
      detail: 'LCP RXJ- in Opened',
    });
  return failure(
    phase,
    'ppp-negotiation-failed',
    'The server restarted PPP negotiation in the middle of the session; reconnect.',
    {
      detail: `LCP left Opened on ${cause}`,
    },
  );
}

export function lcpFinished(cause: PppEvent): SessionFailure {
  if (cause === 'TO-') {
    return failure('lcp', 'negotiation-timeout', 'The server did not complete PPP link negotiation (LCP) in time.', {
      detail: 'LCP Max-Configure exhausted',
    });
  }
  if (cause === 'RXJ-')
    return failure('lcp', 'protocol-error', 'The server rejected a basic PPP packet type.', { detail: 'LCP RXJ-' });
  return failure('lcp', 'ppp-negotiation-failed', 'PPP link negotiation (LCP) ended without agreement.', {
    detail: `LCP finished on ${cause}`,
  });
}

/** SoftEther (and pppd servers) answer a wrong PAP password with a bare Terminate-Request. */
export function terminatedDuringAuth(method: AuthMethod | undefined): SessionFailure {
  return failure(
    'auth',
    'auth-failed',
    'The server ended the session during authentication: most likely the user name or password is wrong. Check them and try again.',
    {
      detail: `LCP Terminate-Request during ${method ?? 'authentication'}`,
    },
  );
}

export function peerTerminated(phase: Phase, from: State): SessionFailure {
  return failure(phase, 'peer-disconnect', 'The server ended the PPP session.', {
    detail: `LCP Terminate-Request in ${from}`,
  });
}

export function lcpProtocolRejected(phase: Phase): SessionFailure {
  return failure(phase, 'protocol-error', 'The server rejected LCP itself.', { detail: 'Protocol-Reject of LCP' });
}

export function authProtocolRejected(protocol: number, method: AuthMethod): SessionFailure {
  const name = protocolName(protocol);
  return failure(
    'auth',
    'auth-method-refused',
    `The server proposed ${name} but then refused to continue it with ${method}; it probably supports only other ${name} methods. Allow another method (such as MS-CHAPv2) in the profile.`,
    { detail: `Protocol-Reject of ${name} during ${method}` },
  );
}

export function authenticatorNotStarted(method: AuthMethod, e: unknown): SessionFailure {
  return failure('auth', 'auth-method-refused', `Causeway could not start ${method} authentication.`, {
    detail: e instanceof Error ? e.message : String(e),
  });
}

export function noIpv4Address(): SessionFailure {
  return failure('ipcp', 'ppp-negotiation-failed', 'The server did not assign an IPv4 address.', {
    detail: 'IPCP opened without IP-Address',
  });
}

export function ipcpEnded(end: NcpEnd): SessionFailure {
  const phase: Phase = 'ipcp';
  switch (end) {
    case 'timeout':
      return failure(phase, 'negotiation-timeout', 'The server did not complete IPv4 negotiation (IPCP) in time.', {
        detail: 'IPCP Max-Configure exhausted',
      });
    case 'protocol-rejected':
      return failure(phase, 'ppp-negotiation-failed', 'The server refused IPv4 (it rejected IPCP).', {
        detail: 'IPCP rejected',
      });
    case 'peer-terminated':
      return failure(phase, 'peer-disconnect', 'The server closed IPv4 (IPCP Terminate-Request).', {
        detail: 'IPCP Terminate-Request',
      });
    case 'renegotiated':
      return failure(
        phase,
        'ppp-negotiation-failed',
        'The server restarted IPv4 negotiation in the middle of the session; reconnect.',
        { detail: 'IPCP left Opened' },
      );
    case 'finished':
      return failure(phase, 'ppp-negotiation-failed', 'IPv4 negotiation (IPCP) ended without agreement.', {
        detail: 'IPCP finished',
      });
  }
}

export const IPV6_ENDED: Readonly<Record<NcpEnd, string>> = {
  timeout: 'the server did not answer IPv6 negotiation (IPv6CP)',
  'protocol-rejected': 'the server does not offer IPv6 (it rejected IPv6CP)',
  'peer-terminated': 'the server declined IPv6 (IPv6CP Terminate-Request)',
  renegotiated: 'the server restarted IPv6 negotiation; IPv6 is off for this session',
  finished: 'IPv6 negotiation (IPv6CP) ended without agreement',
};

/** What LCP agreed, as far as the layers above depend on it. */
export interface LinkTerms {
  readonly mru: number;
  readonly peerMru: number;
  readonly authMethod: AuthMethod | null;
}

/**
 * A mid-session LCP renegotiation that changed what the layers above were built on (the TUN's MTU
 * follows the MRU; the crypto binding followed the authentication): carrying on would be wrong.
 */
export function renegotiatedDifferently(before: LinkTerms, after: LinkTerms): SessionFailure | undefined {
  const changes: string[] = [];
  if (before.mru !== after.mru) changes.push(`our MRU ${before.mru} → ${after.mru}`);
  if (before.peerMru !== after.peerMru) changes.push(`the server's MRU ${before.peerMru} → ${after.peerMru}`);
  if (before.authMethod !== after.authMethod)
    changes.push(`authentication ${before.authMethod ?? 'none'} → ${after.authMethod ?? 'none'}`);
  if (changes.length === 0) return undefined;
  return failure(
    'connected',
    'ppp-negotiation-failed',
    `The server renegotiated the PPP link with different settings (${changes.join(', ')}); the session must start over.`,
    {
      detail: `LCP renegotiated: ${changes.join('; ')}`,
    },
  );
}
