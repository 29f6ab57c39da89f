// The throughput graph's series from counter snapshots. Main pushes counters about once a second while
// they move and says nothing while they do not, so a silence longer than IDLE_S is a rate of zero: the
// graph and the "now" figure fall to 0 instead of repeating the last rate forever. The x axis is seconds
// relative to now (a fixed window), which also keeps uPlot from inventing dates when there is one point.

/** One counter snapshot as the renderer received it. No imports here: the e2e suite loads this file under Node. */
export interface Sample {
  /** seconds since epoch */
  readonly t: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export const WINDOW_S = 120;
const IDLE_S = 2.5;

export interface ThroughputSeries {
  /** Seconds relative to now (≤ 0), ascending. */
  readonly x: number[];
  readonly rateIn: number[];
  readonly rateOut: number[];
  /** Bytes per second right now; null before the first sample. */
  readonly now: { readonly in: number; readonly out: number } | null;
}

export function throughputSeries(samples: readonly Sample[], now: number): ThroughputSeries {
  const x: number[] = [];
  const rateIn: number[] = [];
  const rateOut: number[] = [];
  const point = (t: number, i: number, o: number) => {
    if (now - t > WINDOW_S || t > now) return;
    x.push(t - now);
    rateIn.push(i);
    rateOut.push(o);
  };
  const first = samples[0];
  if (!first) return { x, rateIn, rateOut, now: null };
  point(first.t, 0, 0);
  let last = { in: 0, out: 0 };
  for (let k = 1; k < samples.length; k++) {
    const a = samples[k - 1]!;
    const b = samples[k]!;
    let dt = b.t - a.t;
    if (dt > IDLE_S) {
      // Idle in between: zero until just before this push, whose bytes moved within about a second.
      point(a.t + 1, 0, 0);
      point(b.t - 1, 0, 0);
      dt = 1;
    }
    dt = Math.max(0.001, dt);
    last = { in: Math.max(0, b.bytesIn - a.bytesIn) / dt, out: Math.max(0, b.bytesOut - a.bytesOut) / dt };
    point(b.t, last.in, last.out);
  }
  const end = samples.at(-1)!;
  if (now - end.t > IDLE_S) {
    point(end.t + 1, 0, 0);
    point(now, 0, 0);
    last = { in: 0, out: 0 };
  }
  return { x, rateIn, rateOut, now: samples.length > 1 || now - end.t > IDLE_S ? last : { in: 0, out: 0 } };
}

/** Tick labels of the relative time axis. */
export function secondsAgo(v: number): string {
  return v >= 0 ? 'now' : `${Math.round(-v)} s ago`;
}
