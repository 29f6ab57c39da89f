// The SSTP call-control timers and their defaults (MS-SSTP §3.1.2, §3.2.2), and how a partial set
// from the session is completed. Kept apart from the state machine so callers can read the knobs alone.

export interface SstpTimers {
  /** Wait for CALL_CONNECT_ACK after each request, then for PPP authentication after the ack (§3.2.2.1). */
  readonly negotiationMs: number;
  /** Receive silence before an ECHO_REQUEST; the same again without traffic is a dead peer. */
  readonly helloIntervalMs: number;
  /** After our CALL_ABORT, how long to wait for the peer's CALL_ABORT before closing (§3.1.2.1). */
  readonly abortMs: number;
  /** After our CALL_DISCONNECT, how long to wait for CALL_DISCONNECT_ACK. */
  readonly disconnectMs: number;
}

export const DEFAULT_SSTP_TIMERS: SstpTimers = {
  negotiationMs: 60_000,
  helloIntervalMs: 60_000,
  abortMs: 3_000,
  disconnectMs: 5_000,
};

/** NAKs answered with a fresh request before giving up (so at most 1 + 3 requests). */
export const DEFAULT_CONNECT_RETRIES = 3;

/** The given timers over the defaults; a key present but not a number (e.g. undefined) keeps its default. */
export function completeTimers(timers: Partial<SstpTimers> | undefined): SstpTimers {
  const given = Object.entries(timers ?? {}).filter(([, v]) => typeof v === 'number');
  return { ...DEFAULT_SSTP_TIMERS, ...Object.fromEntries(given) };
}
