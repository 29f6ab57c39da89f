import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import { startEchoLoad, type EchoLoadOptions, type EchoLoadResult } from '../../../../main/engine/packet/echo-load.js';
import type { IpPacketPort } from '../../../../main/engine/packet/ping.js';
import { answerEcho } from '../../../peers/icmp-responder.js';

const SERVER = '10.0.0.1';

/**
 * The far end: the strict peer's ICMP responder (an independent implementation) behind a link that
 * takes `delayMs` each way on the manual clock; `drop(n)` loses the n-th request, `tamper` corrupts it.
 */
function farEnd(
  clock: ManualClock,
  delayMs: number,
  opts: { drop?: (n: number) => boolean; tamper?: (reply: Buffer, n: number) => void } = {},
) {
  const listeners = new Set<(p: Buffer) => void>();
  let n = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const port: IpPacketPort = {
    sendIp(packet) {
      const k = n++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const v = answerEcho(packet, SERVER);
      assert.equal(v.kind, 'reply', 'every request is a valid echo to the server');
      if (opts.drop?.(k) === true) {
        clock.after(delayMs * 2, () => inFlight--);
        return;
      }
      clock.after(delayMs * 2, () => {
        inFlight--;
        if (v.kind !== 'reply') return;
        opts.tamper?.(v.packet, k);
        for (const l of listeners) l(v.packet);
      });
    },
    onIpPacket(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { port, requests: () => n, maxInFlight: () => maxInFlight };
}

const base: EchoLoadOptions = {
  source: '10.0.0.2',
  target: SERVER,
  payloadBytes: 1372,
  window: 8,
  durationMs: 1000,
  replyTimeoutMs: 500,
};

async function runFor(clock: ManualClock, result: Promise<EchoLoadResult>, ms: number): Promise<EchoLoadResult> {
  for (let t = 0; t < ms; t += 5) clock.advance(5);
  return result;
}

describe('echo load (causeway bench without a TUN)', () => {
  it('keeps exactly the window in flight, and every reply is counted with its round trip', async () => {
    const clock = new ManualClock();
    const far = farEnd(clock, 5);
    const s = startEchoLoad(far.port, clock, base);
    assert.ok(s.ok);
    const r = await runFor(clock, s.result, 2000);
    assert.equal(far.maxInFlight(), 8);
    // 10 ms per round trip, 8 at a time, for 1000 ms: 800 requests, the last ones answered after it.
    assert.equal(r.sent, 800);
    assert.equal(r.answered, 800);
    assert.equal(r.lost, 0);
    assert.equal(r.answeredIpBytes, 800 * 1400);
    assert.deepEqual(r.rttMs, { p50: 10, p99: 10, max: 10 });
    assert.equal(r.elapsedMs, 1000);
  });

  it('a request with no reply is lost after the timeout and frees its place', async () => {
    const clock = new ManualClock();
    const far = farEnd(clock, 5, { drop: (n) => n % 4 === 0 });
    const s = startEchoLoad(far.port, clock, { ...base, window: 4, durationMs: 600 });
    assert.ok(s.ok);
    const r = await runFor(clock, s.result, 3000);
    assert.ok(r.lost > 0);
    assert.equal(r.sent, r.answered + r.lost);
    assert.ok(far.maxInFlight() <= 4);
  });

  it('replies that are not ours (payload changed) are not counted', async () => {
    const clock = new ManualClock();
    const far = farEnd(clock, 5, {
      tamper: (reply, n) => {
        if (n % 2 === 1) reply[reply.length - 1] = (reply[reply.length - 1] ?? 0) ^ 0xff;
      },
    });
    const s = startEchoLoad(far.port, clock, { ...base, window: 2, durationMs: 100 });
    assert.ok(s.ok);
    const r = await runFor(clock, s.result, 2000);
    assert.ok(r.answered > 0 && r.lost > 0);
    assert.equal(r.sent, r.answered + r.lost);
  });

  it('nothing is sent after the duration, and a silent server ends it after the timeout', async () => {
    const clock = new ManualClock();
    const far = farEnd(clock, 5, { drop: () => true });
    const s = startEchoLoad(far.port, clock, { ...base, window: 3, durationMs: 1000, replyTimeoutMs: 400 });
    assert.ok(s.ok);
    const r = await runFor(clock, s.result, 3000);
    assert.equal(r.answered, 0);
    assert.equal(r.rttMs, undefined);
    // three every 400 ms while sending (0, 400, 800), then the last three time out at 1200
    assert.equal(r.sent, 9);
    assert.equal(far.requests(), 9);
    assert.equal(r.elapsedMs, 1200);
  });

  for (const [what, o] of [
    ['an address that is not IPv4', { target: 'fe80::1' }],
    ['a payload below 16 bytes', { payloadBytes: 8 }],
    ['a payload above an IPv4 packet', { payloadBytes: 70_000 }],
    ['a window of 0', { window: 0 }],
    ['a window above 1024', { window: 5000 }],
  ] as const) {
    it(`refuses ${what} with a reason`, () => {
      const clock = new ManualClock();
      const s = startEchoLoad(farEnd(clock, 1).port, clock, { ...base, ...o });
      assert.equal(s.ok, false);
      if (!s.ok) assert.match(s.reason, /\S/);
    });
  }
});
