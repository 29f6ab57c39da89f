// The MTU search against a far end that answers echoes up to a given size (a reflector that builds a
// real echo reply), on the manual clock: the result, the probes sent, the retry of a lost probe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import { internetChecksum } from '../../../../main/engine/packet/checksum.js';
import type { IpPacketPort } from '../../../../main/engine/packet/ping.js';
import { probePathMtu } from '../../../../main/services/doctor/mtu-probe.js';

/** Answers ICMP echo requests no larger than `limit` (DF set: larger ones are dropped), after `delay` ms. */
function reflector(clock: ManualClock, limit: number, opts: { loseFirst?: number; delay?: number } = {}) {
  const listeners = new Set<(p: Buffer) => void>();
  const sizes: number[] = [];
  let lose = opts.loseFirst ?? 0;
  const port: IpPacketPort = {
    sendIp(p) {
      sizes.push(p.length);
      assert.equal(p.readUInt16BE(6) & 0x4000, 0x4000, 'DF set');
      assert.equal(p.readUInt16BE(2), p.length, 'total length is the packet size');
      if (p.length > limit) return;
      if (lose > 0 && p.length <= limit) {
        lose--;
        return;
      }
      const r = Buffer.from(p);
      p.copy(r, 12, 16, 20);
      p.copy(r, 16, 12, 16);
      r.writeUInt16BE(0, 10);
      r.writeUInt16BE(internetChecksum(r, 0, 20), 10);
      r[20] = 0;
      r.writeUInt16BE(0, 22);
      r.writeUInt16BE(internetChecksum(r, 20, r.length), 22);
      clock.after(opts.delay ?? 5, () => listeners.forEach((l) => l(r)));
    },
    onIpPacket(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { port, sizes };
}

async function run(clock: ManualClock, promise: Promise<unknown>): Promise<void> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 500 && !done; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(100);
  }
  assert.ok(done, 'the search finished');
}

const opts = { source: '192.168.30.10', target: '192.168.30.1', linkMtu: 1500, timeoutMs: 500 };

test('a path as wide as the link: one probe, path MTU = link MTU, MSS = MTU − 40', async () => {
  const clock = new ManualClock();
  const r = reflector(clock, 1500);
  const p = probePathMtu(r.port, clock, opts);
  await run(clock, p);
  const c = await p;
  assert.ok(c.ok);
  assert.equal(c.pathMtu, 1500);
  assert.equal(c.recommendedMss, 1460);
  assert.deepEqual(r.sizes, [1500]);
});

for (const limit of [1300, 1280, 1499, 577, 576]) {
  test(`a path of ${limit}: the binary search finds exactly ${limit}`, async () => {
    const clock = new ManualClock();
    const r = reflector(clock, limit);
    const p = probePathMtu(r.port, clock, opts);
    await run(clock, p);
    const c = await p;
    assert.ok(c.ok, JSON.stringify(c));
    assert.equal(c.pathMtu, limit);
    assert.equal(c.recommendedMru, limit);
    assert.equal(c.recommendedMss, limit - 40);
    assert.ok(c.probes.length <= 14, `${c.probes.length} probes`);
    assert.ok(c.probes.every((x) => x.passed === x.size <= limit));
  });
}

test('a lost probe is sent again before it counts as too big', async () => {
  const clock = new ManualClock();
  const r = reflector(clock, 1500, { loseFirst: 1 });
  const p = probePathMtu(r.port, clock, opts);
  await run(clock, p);
  const c = await p;
  assert.ok(c.ok);
  assert.equal(c.pathMtu, 1500);
  assert.deepEqual(r.sizes, [1500, 1500]);
});

test('a far end that answers nothing: a typed failure that says so', async () => {
  const clock = new ManualClock();
  const r = reflector(clock, 0);
  const p = probePathMtu(r.port, clock, opts);
  await run(clock, p);
  const c = await p;
  assert.equal(c.ok, false);
  assert.match(c.ok ? '' : c.reason, /does not answer pings/);
});

test('not an IPv4 address: refused without sending', async () => {
  const clock = new ManualClock();
  const r = reflector(clock, 1500);
  const c = await probePathMtu(r.port, clock, { ...opts, target: 'fe80::1' });
  assert.equal(c.ok, false);
  assert.equal(r.sizes.length, 0);
});
