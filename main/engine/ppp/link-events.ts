// What a PppLink reports to the session. One-shot: after 'failed' or 'closed' nothing else comes.
import type { AuthMethod } from '../config.js';
import type { SessionFailure } from '../failure.js';

export type PppLinkEvent =
  /** LCP is open. `mru` is what the server may send us; `peerMru` what we may send it. */
  | { readonly type: 'lcp-up'; readonly mru: number; readonly peerMru: number; readonly authMethod: AuthMethod | null }
  /**
   * Authentication has begun; the server may stay quiet up to `waitMs` (an MFA push waiting for the
   * user's approval) before the link gives up.
   */
  | { readonly type: 'auth-pending'; readonly method: AuthMethod; readonly waitMs: number }
  /**
   * Authentication is done (or the server asked for none: 32 zero bytes). Emitted synchronously
   * before IPCP starts, so the session can send SSTP CALL_CONNECTED first.
   */
  | { readonly type: 'authenticated'; readonly hlak: Buffer }
  /** `peer` is null when the server did not announce its own address. */
  | { readonly type: 'ipv4-up'; readonly local: string; readonly peer: string | null; readonly dns: readonly string[] }
  /** Interface identifiers as the low 64 bits of an address: "fe80::" + id is the link-local address. */
  | { readonly type: 'ipv6-up'; readonly localInterfaceId: string; readonly peerInterfaceId: string | null }
  /** IPv6 will not come up (or went away); IPv4 carries on. */
  | { readonly type: 'ipv6-unavailable'; readonly reason: string }
  /** An IPv4 or IPv6 packet from the server (a view into the received frame). */
  | { readonly type: 'ip-packet'; readonly packet: Buffer }
  | { readonly type: 'failed'; readonly failure: SessionFailure }
  /** Our close() finished: the server acknowledged, or Max-Terminate ran out. */
  | { readonly type: 'closed' };
