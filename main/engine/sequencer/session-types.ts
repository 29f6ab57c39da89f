// What a session tells the world: its events, the tunnel it brought up, and how connect() ended.
// Shared by the socket-free sequencer (which produces them) and SstpSession (which publishes them);
// session.ts re-exports them, so callers keep importing from there.
import type { AuthMethod } from '../config.js';
import type { Phase, SessionFailure } from '../failure.js';
import type { PhaseTiming } from '../timings.js';
import type { TlsInfo } from '../transport/tls.js';

export interface Ipv4Info {
  readonly local: string;
  /** null when the server did not announce its own address. */
  readonly peer: string | null;
  readonly dns: readonly string[];
}

export interface Ipv6Info {
  readonly localInterfaceId: string;
  readonly peerInterfaceId: string | null;
}

/** TLS facts fit to publish: the leaf certificate's DER stays inside (it is only for the crypto binding). */
export type PublicTls = Omit<TlsInfo, 'leafDer'>;

export interface TunnelInfo {
  readonly ipv4: Ipv4Info;
  readonly mru: number;
  readonly peerMru: number;
  readonly authMethod: AuthMethod | null;
  readonly tls: PublicTls;
  readonly timings: readonly PhaseTiming[];
  /** The server this session reached: its name and port, and the address dialled (absent behind a proxy). */
  readonly server?: { readonly host: string; readonly port: number; readonly address?: string };
  /** Servers of a list passed over before this one connected, and why (failover.ts). */
  readonly skipped?: readonly { readonly server: string; readonly reason: string }[];
}

export type ConnectOutcome =
  | { readonly ok: true; readonly info: TunnelInfo }
  | {
      readonly ok: false;
      readonly failure: SessionFailure;
      readonly timings: readonly PhaseTiming[];
      readonly tls?: PublicTls;
    };

export type SessionEvent =
  | { readonly type: 'phase'; readonly phase: Phase }
  /** Authentication began; the server may take until `deadline` (ms since epoch), e.g. for an MFA push. */
  | { readonly type: 'auth-pending'; readonly method: AuthMethod; readonly waitMs: number; readonly deadline: number }
  | { readonly type: 'tls'; readonly tls: PublicTls }
  | { readonly type: 'ipv4-up'; readonly ipv4: Ipv4Info }
  | { readonly type: 'ipv6-up'; readonly ipv6: Ipv6Info }
  | { readonly type: 'ipv6-unavailable'; readonly reason: string }
  /** The one end of every session: `failure` null for a clean disconnect. Emitted once. */
  | { readonly type: 'closed'; readonly failure: SessionFailure | null };

export function publicTls(t: TlsInfo): PublicTls {
  return { version: t.version, cipher: t.cipher, certificate: t.certificate };
}
