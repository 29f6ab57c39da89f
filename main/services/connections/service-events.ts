// What the connection service pushes, and the engine's tunnel state turned into the contract's view.
import type { TunnelState } from '../../engine/datapath/tunnel.js';
import type { ConnectionSnapshot, ConnectionState, LogLine, OtpPrompt, TrustPrompt } from '../../contract/model.js';
import type { Profile } from '../../contract/profile.js';
import type { SessionFailure } from '../../engine/failure.js';
import { displayFingerprint } from '../trust/certificate.js';
import { failureView, tlsView } from './views.js';

export type ConnectionServiceEvent =
  | { readonly type: 'snapshot'; readonly snapshot: ConnectionSnapshot }
  | { readonly type: 'log'; readonly line: LogLine }
  | { readonly type: 'trust-prompt'; readonly prompt: TrustPrompt }
  | { readonly type: 'trust-resolved'; readonly promptId: string }
  | { readonly type: 'otp-prompt'; readonly prompt: OtpPrompt }
  | { readonly type: 'otp-resolved'; readonly promptId: string };

type Connected = Extract<TunnelState, { state: 'connected' }>;

export function connectedState(
  profile: Profile,
  s: Connected,
  attempt: number,
  since: number,
  bytes: { bytesIn: number; bytesOut: number },
): ConnectionState {
  const info = s.info;
  return {
    state: 'connected',
    attempt,
    addresses: {
      ipv4: info.ipv4.local,
      peer: info.ipv4.peer,
      ipv6: s.ipv6 !== undefined,
      ...(s.ipv6 === undefined ? {} : { ipv6Address: s.ipv6.address ?? s.ipv6.linkLocal }),
    },
    dns: [...info.ipv4.dns, ...(s.ipv6?.dns ?? [])],
    // The server of the list that connected (failover), else the profile's.
    server: info.server ? { host: info.server.host, port: info.server.port } : { ...profile.server },
    ...(info.skipped && info.skipped.length > 0 ? { skipped: info.skipped } : {}),
    tls: tlsView(info.tls),
    since,
    bytesIn: bytes.bytesIn,
    bytesOut: bytes.bytesOut,
    ...(s.interfaceName === null
      ? { dataPlane: 'session' as const }
      : {
          dataPlane: 'tunnel' as const,
          system: {
            interfaceName: s.interfaceName,
            mtu: s.mtu,
            // A full tunnel takes IPv6 too when the TUN has it (and blocks it otherwise).
            routes: s.routing.mode === 'full' ? ['0.0.0.0/0', ...(s.ipv6 ? ['::/0'] : [])] : [...s.routing.routes],
            dns: s.dns,
          },
        }),
  };
}

type Between = Extract<TunnelState, { state: 'checking' | 'waiting-for-network' | 'reconnecting' }>;

/** A tunnel between sessions: checking after a resume, waiting for a network, or backing off to retry. */
export function betweenState(s: Between, attempt: number, now: number): ConnectionState {
  switch (s.state) {
    case 'checking':
      return { state: 'checking', reason: s.reason, attempt };
    case 'waiting-for-network':
      return { state: 'waiting-for-network', retry: s.attempt, since: now, failure: failureView(s.reason) };
    case 'reconnecting':
      return { state: 'reconnecting', retry: s.attempt, retryAt: now + s.delayMs, failure: failureView(s.reason) };
  }
}

/** A connection that ended without being asked to; a changed pin is its own loud state. */
export function failedState(profile: Profile, f: SessionFailure, attempt: number): ConnectionState {
  if (f.code === 'certificate-pin-mismatch' && f.certificate) {
    const expected = profile.tls.pinnedSha256 ? displayFingerprint(profile.tls.pinnedSha256) : '';
    return { state: 'pin-mismatch', failure: failureView(f), expected, certificate: f.certificate, attempt };
  }
  return { state: 'error', failure: failureView(f), attempt };
}
