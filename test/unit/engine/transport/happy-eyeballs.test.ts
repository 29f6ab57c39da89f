// The happy-eyeballs race step by step on a manual clock: which attempt starts when, who wins, and
// that losers are cancelled (and a late winner closed), with no wall-clock wait anywhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import {
  orderForHappyEyeballs,
  raceConnections,
  type AttemptOutcome,
  type RaceOutcome,
} from '../../../../main/engine/transport/happy-eyeballs.js';
import { resolveHost, unbracket } from '../../../../main/engine/transport/resolve-server.js';

interface FakeSocket {
  readonly address: string;
  destroyed: boolean;
}

/** Attempts that settle only when the test says so; records start times and cancellations. */
class Attempts {
  readonly started: { address: string; at: number }[] = [];
  readonly cancelled: string[] = [];
  readonly discarded: string[] = [];
  private readonly pending = new Map<string, (r: AttemptOutcome<FakeSocket>) => void>();
  constructor(private readonly clock: ManualClock) {}

  readonly attempt = (address: string, signal: AbortSignal): Promise<AttemptOutcome<FakeSocket>> => {
    this.started.push({ address, at: this.clock.now() });
    return new Promise((resolve) => {
      this.pending.set(address, resolve);
      signal.addEventListener('abort', () => {
        this.cancelled.push(address);
        resolve({ ok: false, code: 'ECANCELED', message: 'cancelled' });
      });
    });
  };

  readonly discard = (s: FakeSocket): void => {
    s.destroyed = true;
    this.discarded.push(s.address);
  };

  connect(address: string): void {
    this.pending.get(address)?.({ ok: true, socket: { address, destroyed: false } });
  }

  refuse(address: string): void {
    this.pending.get(address)?.({ ok: false, code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${address}` });
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function race(
  clock: ManualClock,
  a: Attempts,
  addresses: string[],
  timeoutMs = 15_000,
): Promise<RaceOutcome<FakeSocket>> {
  return raceConnections({ addresses, attempt: a.attempt, clock, timeoutMs, discard: a.discard });
}

describe('happy eyeballs (RFC 8305)', () => {
  it('orders addresses IPv6 first, alternating families, without duplicates', () => {
    assert.deepEqual(
      orderForHappyEyeballs(['192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:db8::2', '2001:db8::3', '192.0.2.1']),
      ['2001:db8::1', '192.0.2.1', '2001:db8::2', '192.0.2.2', '2001:db8::3'],
    );
    assert.deepEqual(orderForHappyEyeballs(['192.0.2.1']), ['192.0.2.1']);
  });

  it('IPv6 answering first wins, and IPv4 is never tried', async () => {
    const clock = new ManualClock();
    const a = new Attempts(clock);
    const outcome = race(clock, a, ['2001:db8::1', '192.0.2.1']);
    clock.advance(10);
    a.connect('2001:db8::1');
    const r = await outcome;
    assert.ok(r.ok);
    assert.equal(r.address, '2001:db8::1');
    clock.advance(1_000);
    assert.deepEqual(
      a.started.map((s) => s.address),
      ['2001:db8::1'],
    );
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('a silent IPv6 path: IPv4 starts at 250 ms exactly, wins, and the IPv6 attempt is cancelled', async () => {
    const clock = new ManualClock();
    const a = new Attempts(clock);
    const outcome = race(clock, a, ['2001:db8::1', '192.0.2.1']);
    clock.advance(249);
    assert.equal(a.started.length, 1, 'not before the delay');
    clock.advance(1);
    assert.deepEqual(a.started, [
      { address: '2001:db8::1', at: 0 },
      { address: '192.0.2.1', at: 250 },
    ]);
    clock.advance(3);
    a.connect('192.0.2.1');
    const r = await outcome;
    assert.ok(r.ok);
    assert.equal(r.address, '192.0.2.1');
    assert.deepEqual(a.cancelled, ['2001:db8::1']);
    assert.deepEqual(
      r.attempts.map((x) => [x.address, x.startedAtMs, x.result]),
      [
        ['2001:db8::1', 0, 'cancelled'],
        ['192.0.2.1', 250, 'connected'],
      ],
    );
    assert.equal(clock.pending, 0);
  });

  it('a refused IPv6 attempt starts IPv4 at once, without waiting out the delay', async () => {
    const clock = new ManualClock();
    const a = new Attempts(clock);
    const outcome = race(clock, a, ['2001:db8::1', '192.0.2.1']);
    clock.advance(5);
    a.refuse('2001:db8::1');
    await tick();
    assert.deepEqual(a.started, [
      { address: '2001:db8::1', at: 0 },
      { address: '192.0.2.1', at: 5 },
    ]);
    a.connect('192.0.2.1');
    const r = await outcome;
    assert.ok(r.ok);
    assert.equal(r.address, '192.0.2.1');
  });

  it('a loser that connects after the winner is closed, not leaked', async () => {
    const clock = new ManualClock();
    const a = new Attempts(clock);
    // An attempt function that ignores cancellation, as a socket whose connect raced the abort.
    const stubborn = (address: string): Promise<AttemptOutcome<FakeSocket>> =>
      a.attempt(address, new AbortController().signal);
    const outcome = raceConnections({
      addresses: ['2001:db8::1', '192.0.2.1'],
      attempt: stubborn,
      clock,
      timeoutMs: 15_000,
      discard: a.discard,
    });
    clock.advance(250);
    a.connect('192.0.2.1');
    const r = await outcome;
    assert.ok(r.ok);
    a.connect('2001:db8::1');
    await tick();
    assert.deepEqual(a.discarded, ['2001:db8::1']);
  });

  it("every address failing is one failure that names each, the first address's code leading", async () => {
    const clock = new ManualClock();
    const a = new Attempts(clock);
    const outcome = race(clock, a, ['2001:db8::1', '192.0.2.1']);
    a.refuse('2001:db8::1');
    await tick();
    a.refuse('192.0.2.1');
    const r = await outcome;
    assert.ok(!r.ok);
    assert.equal(r.code, 'ECONNREFUSED');
    assert.match(
      r.message,
      /\[2001:db8::1\] \+0 ms failed \(ECONNREFUSED\), 192\.0\.2\.1 \+0 ms failed \(ECONNREFUSED\)/,
    );
    assert.equal(clock.pending, 0);
  });

  it('nothing answering ends at the race timeout with every attempt cancelled', async () => {
    const clock = new ManualClock();
    const a = new Attempts(clock);
    const outcome = race(clock, a, ['2001:db8::1', '192.0.2.1', '2001:db8::2'], 2_000);
    clock.advance(2_000);
    const r = await outcome;
    assert.ok(!r.ok);
    assert.equal(r.code, 'ETIMEDOUT');
    assert.deepEqual(
      a.started.map((s) => s.at),
      [0, 250, 500],
    );
    assert.deepEqual(a.cancelled.sort(), ['192.0.2.1', '2001:db8::1', '2001:db8::2']);
    assert.equal(clock.pending, 0);
  });
});

describe('resolving the server for happy eyeballs', () => {
  it('asks for both families and interleaves them, IPv6 first, at most 4 of each', async () => {
    const records = [
      ...[1, 2, 3, 4, 5].map((i) => ({ address: `192.0.2.${i}`, family: 4 })),
      ...[1, 2].map((i) => ({ address: `2001:db8::${i}`, family: 6 })),
    ];
    const r = await resolveHost('vpn.example.test', () => Promise.resolve(records));
    assert.ok(r.ok);
    assert.deepEqual(r.addresses, ['2001:db8::1', '192.0.2.1', '2001:db8::2', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
    assert.equal(r.address, '192.0.2.1', "one address for one-address callers: the resolver's first, as before");
  });

  it('takes a literal (bracketed or not) as it is, without a lookup', async () => {
    const never = () => Promise.reject(new Error('must not resolve a literal'));
    for (const host of ['[2001:db8::1]', '2001:db8::1']) {
      const r = await resolveHost(host, never);
      assert.ok(r.ok);
      assert.deepEqual(r.addresses, ['2001:db8::1']);
    }
    assert.equal(unbracket('[::1]'), '::1');
    assert.equal(unbracket('vpn.example.test'), 'vpn.example.test');
  });

  it('a name that does not resolve is a typed failure that names it', async () => {
    const r = await resolveHost('nx.example.test', () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
    );
    assert.ok(!r.ok);
    assert.equal(r.failure.code, 'network-unreachable');
    assert.match(r.failure.message, /nx\.example\.test could not be resolved/);
  });
});
