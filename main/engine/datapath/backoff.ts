// Capped exponential backoff with jitter, so many clients dropped together do not return together.

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

/** Delay before reconnect attempt `attempt` (1-based): base·2^(n-1), capped, then scaled by 0.5..1. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  return Math.round(base * (0.5 + 0.5 * random()));
}
