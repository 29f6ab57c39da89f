// Whole-session fuzzing: the real SstpSession against the strict peer, which after reaching a phase
// (http, connect-ack, lcp-opened, authenticated, call-connected, ipcp-opened) sends a burst of
// fuzzed frames (test/peers/fuzzer.ts: mutated legal frames, random lengths, random bytes) and then
// an SSTP ECHO_REQUEST. Each run must end one of two ways within a bound: the session is still up
// (it answered the echo after the burst) or it closed with a typed failure. Never an uncaught
// exception, never a hang, memory bounded. FUZZ_RUNS (runs per phase, default 12) raises the budget
// for a long local run; the figures are printed as "fuzz figures: {...}".
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FailureCode, SessionFailure } from '../../../main/engine/failure.js';
import { SstpSession, type SessionDeps } from '../../../main/engine/session.js';
import { fuzzedBurst } from '../../peers/fuzzer.js';
import type { FaultPoint } from '../../peers/script.js';
import { startStrictPeer, type StrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, sessionConfig, withPeer } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const MAX_FRAMES = Number(process.env.FUZZ_FRAMES ?? 40);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
// Short protocol timers so a burst that stalls negotiation ends in seconds, not a minute.
const TIMERS: SessionDeps = {
  sstpTimers: { abortMs: 200, disconnectMs: 300, negotiationMs: 1_500 },
  negotiationTimeoutMs: 2_000,
};
// Longer than any timer above: past it, the session hangs.
const BOUND_MS = 6_000;
const POINTS: readonly FaultPoint[] = [
  'http',
  'connect-ack',
  'lcp-opened',
  'authenticated',
  'call-connected',
  'ipcp-opened',
];
const CODES: ReadonlySet<FailureCode> = new Set<FailureCode>([
  'network-unreachable',
  'tls-failed',
  'certificate-untrusted',
  'certificate-pin-mismatch',
  'proxy-failed',
  'proxy-auth-failed',
  'http-refused',
  'sstp-negotiation-failed',
  'auth-method-refused',
  'auth-failed',
  'server-auth-failed',
  'ppp-negotiation-failed',
  'negotiation-timeout',
  'peer-abort',
  'peer-disconnect',
  'dead-peer',
  'protocol-error',
  'connection-lost',
  'data-path-failed',
  'cancelled',
]);

interface Figures {
  runs: number;
  inputs: number;
  survived: number;
  failures: Record<string, number>;
  crashes: number;
  hangs: number;
  peakRssMiB: number;
  seconds: number;
}

const totals: Figures = {
  runs: 0,
  inputs: 0,
  survived: 0,
  failures: {},
  crashes: 0,
  hangs: 0,
  peakRssMiB: 0,
  seconds: 0,
};
const crashes: string[] = [];
const onCrash = (e: unknown) => {
  totals.crashes++;
  crashes.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
};

function within<T>(p: Promise<T>, ms: number): Promise<T | 'hang'> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((r) => (timer = setTimeout(() => r('hang'), ms)));
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

function typed(f: SessionFailure): boolean {
  return CODES.has(f.code) && typeof f.message === 'string' && f.message.length > 0 && typeof f.phase === 'string';
}

function echoes(peer: StrictPeer): number {
  let n = 0;
  for (const e of peer.events) if (e.kind === 'sstp-received' && e.message === 'ECHO_RESPONSE') n++;
  return n;
}

/** Resolves when the peer has more ECHO_RESPONSEs than `before`; stops looking when told. */
async function echoAfter(peer: StrictPeer, before: number, stop: { now: boolean }): Promise<'echoed' | 'no-echo'> {
  while (!stop.now) {
    if (echoes(peer) > before) return 'echoed';
    await new Promise((r) => setTimeout(r, 5));
  }
  return 'no-echo';
}

/** One session against the peer with `frames` as the burst; the reason it is not acceptable, if any. */
async function oneRun(
  peer: StrictPeer,
  frames: readonly Buffer[],
  setBurst: (f: readonly Buffer[]) => void,
): Promise<string | undefined> {
  setBurst(frames);
  totals.runs++;
  totals.inputs += frames.length;
  let lines = 0;
  const session = new SstpSession(sessionConfig(peer), { ...TIMERS, log: () => void lines++ });
  const echoesBefore = echoes(peer);
  const outcome = await within(session.connect(), BOUND_MS);
  if (outcome === 'hang') {
    totals.hangs++;
    await within(session.disconnect(), BOUND_MS);
    return `connect() did not settle within ${BOUND_MS} ms`;
  }
  if (outcome.ok) {
    // Up: it must either answer the echo sent after the burst, or close with a typed failure.
    const stop = { now: false };
    const echoed = echoAfter(peer, echoesBefore, stop);
    const ended = await within(Promise.race([echoed, session.closed.then((f) => ({ f }))]), BOUND_MS);
    stop.now = true;
    if (ended === 'hang' || ended === 'no-echo') {
      // Neither alive nor ended: only acceptable if asking it to stop works at once.
      const closed = await within(
        session.disconnect().then(() => session.closed),
        BOUND_MS,
      );
      if (closed === 'hang') {
        totals.hangs++;
        return 'the session neither answered nor ended, and disconnect() did not finish';
      }
    }
    if (typeof ended === 'object' && ended.f !== null && !typed(ended.f))
      return `untyped failure ${JSON.stringify(ended.f)}`;
    if (ended === 'echoed') totals.survived++;
    else if (typeof ended === 'object' && ended.f)
      totals.failures[ended.f.code] = (totals.failures[ended.f.code] ?? 0) + 1;
  } else {
    if (!typed(outcome.failure)) return `untyped failure ${JSON.stringify(outcome.failure)}`;
    totals.failures[outcome.failure.code] = (totals.failures[outcome.failure.code] ?? 0) + 1;
  }
  const disconnected = await within(session.disconnect(), BOUND_MS);
  if (disconnected === 'hang') {
    totals.hangs++;
    return 'disconnect() did not finish';
  }
  const closed = await within(session.closed, BOUND_MS);
  if (closed === 'hang') {
    totals.hangs++;
    return 'closed never resolved';
  }
  totals.peakRssMiB = Math.max(totals.peakRssMiB, process.memoryUsage().rss / (1024 * 1024));
  return undefined;
}

describe('whole-session fuzzing: fuzzed server bytes after each phase', () => {
  const started = Date.now();
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  after(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    totals.seconds = Math.round((Date.now() - started) / 100) / 10;
    totals.peakRssMiB = Math.round(totals.peakRssMiB);
    console.log(`fuzz figures: ${JSON.stringify(totals)}`);
    await assertNothingLeftOpen(5_000);
  });

  for (const point of POINTS) {
    test(`after ${point}: ${RUNS} runs of up to ${MAX_FRAMES} fuzzed frames`, async () => {
      let burst: readonly Buffer[] = [];
      const peer = await startStrictPeer({
        binding: { mode: 'record' },
        faults: [{ at: point, action: { kind: 'fuzz', frames: () => burst } }],
      });
      const rssBefore = process.memoryUsage().rss;
      await withPeer(peer, async () => {
        await fc.assert(
          fc.asyncProperty(fuzzedBurst(MAX_FRAMES), async (frames) => {
            const problem = await oneRun(peer, frames, (f) => (burst = f));
            if (problem !== undefined) throw new Error(problem);
          }),
          { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined ? { seed: SEED } : {}) },
        );
      });
      assert.deepEqual(crashes, [], 'no uncaught exception or unhandled rejection');
      const grownMiB = (process.memoryUsage().rss - rssBefore) / (1024 * 1024);
      // Generous: a leak per session would show as growth with the run count, far past this.
      assert.ok(grownMiB < 200, `RSS grew ${grownMiB.toFixed(0)} MiB over ${RUNS} runs`);
    });
  }
});
