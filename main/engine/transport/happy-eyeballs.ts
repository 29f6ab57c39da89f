// Happy Eyeballs v2 (RFC 8305 §4-§5): race TCP connections to a server's addresses, IPv6 first, the
// next address 250 ms later (or at once when an attempt fails), first TCP handshake wins, the others
// are cancelled. A broken IPv6 path (SYNs dropped, nothing refused) then costs 250 ms, not a timeout.
//
// The race ends at the first TCP connect, not the first finished TLS handshake: RFC 8305 §5 defines
// success as the transport connection ("generally when the TCP handshake completes"), and racing TLS
// would run two handshakes (and, behind a proxy, two CONNECTs) for one tunnel. A path that completes
// TCP but fails TLS is the server-list failover's case (a later stage), not the race's.
//
// Every delay runs on the injected clock, so the race is tested step by step without waiting.
import { isIP } from 'node:net';
import type { Clock } from '../clock.js';

/** RFC 8305 §5: the recommended Connection Attempt Delay. */
export const CONNECTION_ATTEMPT_DELAY_MS = 250;

export type AttemptOutcome<S> =
  { readonly ok: true; readonly socket: S } | { readonly ok: false; readonly code: string; readonly message: string };

/** One TCP attempt to one address; must settle (with ECANCELED, say) soon after `signal` aborts. */
export type AttemptFn<S> = (address: string, signal: AbortSignal) => Promise<AttemptOutcome<S>>;

/** What became of one address: for the log, and for the error a person reads when all failed. */
export interface AttemptReport {
  readonly address: string;
  /** When the attempt started, in ms after the race began (on the injected clock). */
  readonly startedAtMs: number;
  readonly result: 'connected' | 'failed' | 'cancelled';
  readonly code?: string;
}

export type RaceOutcome<S> =
  | { readonly ok: true; readonly socket: S; readonly address: string; readonly attempts: readonly AttemptReport[] }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly attempts: readonly AttemptReport[];
    };

export interface RaceOptions<S> {
  /** In the order to try (see orderForHappyEyeballs); never empty. */
  readonly addresses: readonly string[];
  readonly attempt: AttemptFn<S>;
  readonly clock: Clock;
  /** The whole race's limit; attempts still running then are cancelled. */
  readonly timeoutMs: number;
  readonly attemptDelayMs?: number;
  /** Closes a socket that connected after another attempt had already won. */
  readonly discard: (socket: S) => void;
}

/**
 * RFC 8305 §4: interleave the families, starting with IPv6 ("First Address Family Count" 1), keeping
 * each family's own order (the resolver's, RFC 6724). Duplicates go.
 */
export function orderForHappyEyeballs(addresses: readonly string[]): string[] {
  const unique = [...new Set(addresses)];
  const v6 = unique.filter((a) => isIP(a) === 6);
  const other = unique.filter((a) => isIP(a) !== 6);
  const out: string[] = [];
  for (let i = 0; i < Math.max(v6.length, other.length); i++) {
    const a = v6[i];
    const b = other[i];
    if (a !== undefined) out.push(a);
    if (b !== undefined) out.push(b);
  }
  return out;
}

export function raceConnections<S>(o: RaceOptions<S>): Promise<RaceOutcome<S>> {
  const delay = o.attemptDelayMs ?? CONNECTION_ATTEMPT_DELAY_MS;
  const started = o.clock.now();
  const reports: {
    address: string;
    startedAtMs: number;
    result: AttemptReport['result'] | 'running';
    code?: string;
  }[] = [];
  const controllers: AbortController[] = [];
  let next = 0;
  let settled = false;
  let resolveRace!: (r: RaceOutcome<S>) => void;
  const done = new Promise<RaceOutcome<S>>((resolve) => (resolveRace = resolve));

  const snapshot = (): AttemptReport[] =>
    reports.map((r) => ({
      address: r.address,
      startedAtMs: r.startedAtMs,
      result: r.result === 'running' ? 'cancelled' : r.result,
      ...(r.code !== undefined ? { code: r.code } : {}),
    }));

  const finish = (r: RaceOutcome<S>) => {
    if (settled) return;
    settled = true;
    stepTimer?.cancel();
    deadline.cancel();
    for (const [i, c] of controllers.entries()) if (reports[i]?.result === 'running') c.abort();
    resolveRace(r);
  };

  let stepTimer: ReturnType<Clock['after']> | undefined;
  const startNext = () => {
    stepTimer?.cancel();
    stepTimer = undefined;
    if (settled || next >= o.addresses.length) return;
    const index = next++;
    const address = o.addresses[index] as string;
    const controller = new AbortController();
    controllers.push(controller);
    reports.push({ address, startedAtMs: o.clock.now() - started, result: 'running' });
    if (next < o.addresses.length) stepTimer = o.clock.after(delay, startNext);
    void o.attempt(address, controller.signal).then(
      (r) => onOutcome(index, r),
      (e: unknown) => onOutcome(index, { ok: false, code: 'ERROR', message: String(e) }),
    );
  };

  const onOutcome = (index: number, r: AttemptOutcome<S>) => {
    const report = reports[index];
    if (!report) return;
    if (settled) {
      // A loser that connected anyway (its cancel came too late): it must not linger.
      if (r.ok) o.discard(r.socket);
      return;
    }
    if (r.ok) {
      report.result = 'connected';
      finish({ ok: true, socket: r.socket, address: report.address, attempts: snapshot() });
      return;
    }
    report.result = 'failed';
    report.code = r.code;
    // A failure frees the slot at once (§5: no reason to wait out the delay for the next address).
    if (next < o.addresses.length) {
      startNext();
      return;
    }
    if (reports.every((x) => x.result !== 'running')) {
      // All failed: the first address's reason leads (the family the resolver put first).
      const attempts = snapshot();
      const first = reports[0];
      finish({
        ok: false,
        code: first?.code ?? r.code,
        message: reports.length > 1 ? `every address failed: ${describeAttempts(attempts)}` : r.message,
        attempts,
      });
    }
  };

  const deadline = o.clock.after(o.timeoutMs, () =>
    finish({
      ok: false,
      code: 'ETIMEDOUT',
      message: `no address answered within ${o.timeoutMs / 1000} s`,
      attempts: snapshot(),
    }),
  );
  if (o.addresses.length === 0)
    finish({ ok: false, code: 'ENOTFOUND', message: 'no address to connect to', attempts: [] });
  else startNext();
  return done;
}

/** "2001:db8::1 no answer (cancelled), 192.0.2.1 connected" — for the log line after the race. */
export function describeAttempts(attempts: readonly AttemptReport[]): string {
  return attempts
    .map((a) => {
      const where = isIP(a.address) === 6 ? `[${a.address}]` : a.address;
      const what =
        a.result === 'connected'
          ? 'connected'
          : a.result === 'cancelled'
            ? 'no answer yet (cancelled)'
            : `failed (${a.code ?? 'error'})`;
      return `${where} +${a.startedAtMs} ms ${what}`;
    })
    .join(', ');
}
