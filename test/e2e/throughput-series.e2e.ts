// The throughput graph's series maths (renderer/src/lib/throughput.ts), without a browser: main pushes
// counters about once a second while they move and nothing while they do not.
import { expect, test } from '@playwright/test';
import { secondsAgo, throughputSeries, WINDOW_S } from '../../renderer/src/lib/throughput.js';

const s = (t: number, bytesIn: number, bytesOut = 0) => ({ t, bytesIn, bytesOut });

test('one sample: a zero rate on a relative time axis, no dates', () => {
  const r = throughputSeries([s(1000, 500)], 1000.5);
  expect(r.x).toEqual([-0.5]);
  expect(r.now).toEqual({ in: 0, out: 0 });
  expect([-WINDOW_S, -60, 0].map(secondsAgo)).toEqual(['120 s ago', '60 s ago', 'now']);
  expect(throughputSeries([], 1000).now).toBeNull();
});

test('a live rate while counters move, decaying to zero when they stop', () => {
  const moving = [s(1000, 0), s(1001, 2048, 100), s(1002, 6144, 300)];
  expect(throughputSeries(moving, 1002.2).now).toEqual({ in: 4096, out: 200 });
  const idle = throughputSeries(moving, 1010);
  expect(idle.now).toEqual({ in: 0, out: 0 });
  expect(idle.rateIn.at(-1)).toBe(0);
  expect(idle.x.at(-1)).toBe(0);
});

test('a burst after silence is a rate over about a second, not averaged over the silence', () => {
  const r = throughputSeries([s(1000, 0), s(1030, 3000)], 1030.1);
  expect(r.now?.in).toBe(3000);
  // Zero through the silence, then the burst.
  expect(r.rateIn).toEqual([0, 0, 0, 3000]);
  expect(r.x.map((v) => Math.round(v * 10) / 10)).toEqual([-30.1, -29.1, -1.1, -0.1]);
});

test('points older than the window are left out; a new attempt (counters reset) never goes negative', () => {
  const r = throughputSeries([s(0, 0), s(1, 100), s(500, 0), s(501, 50)], 501.5);
  expect(Math.min(...r.x)).toBeGreaterThanOrEqual(-WINDOW_S);
  expect(Math.min(...r.rateIn)).toBeGreaterThanOrEqual(0);
});
