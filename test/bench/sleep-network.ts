// Resume and route-back times of `causeway connect` against SoftEther (issue 13), median of N runs:
// SIGCONT after a freeze past the server's timeout, logind's PrepareForSleep(false) after a silent
// outage past it (private test bus), and the route to the server coming back after a gap. Not in CI.
// usage (root, after `npm run build`): node --import tsx test/bench/sleep-network.ts [--runs 10] [--outage-ms 25000] [--only freeze|sleep|route]
import { parseArgs } from 'node:util';
import {
  freezeAndResume,
  isEvent,
  median,
  PAST_SERVER_TIMEOUT_MS,
  routeGap,
  silentOutageThenResume,
  startConnect,
  startLifeLab,
} from '../support/tunnel-life.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'outage-ms': { type: 'string', default: String(PAST_SERVER_TIMEOUT_MS) },
    only: { type: 'string' },
  },
});
const runs = Number(values.runs);
const outageMs = Number(values['outage-ms']);
const only = values.only;

const lab = await startLifeLab(14);
const c = startConnect(lab);
const figures: Record<string, number[]> = {};
const add = (k: string, v: number) => (figures[k] ??= []).push(v);
try {
  await c.next(isEvent('connected'), 0, 60_000);
  for (let i = 0; i < runs; i++) {
    if (!only || only === 'freeze') {
      const r = await freezeAndResume(c, outageMs);
      add('SIGCONT → reconnecting', r.toReconnectingMs);
      add('SIGCONT → connected', r.toConnectedMs);
    }
    if (!only || only === 'sleep') {
      const r = await silentOutageThenResume(lab, c, outageMs);
      add('PrepareForSleep(false) → reconnecting', r.toReconnectingMs);
      add('PrepareForSleep(false) → connected', r.toConnectedMs);
    }
    if (!only || only === 'route') {
      const g = await routeGap(lab, c, 5_000);
      add('route back → connected', g.backToConnectedMs);
      add('SYNs while no route', g.synsWhileGone);
    }
    process.stderr.write(`run ${i + 1}/${runs} done\n`);
  }
} finally {
  await c.stop();
  await lab.stop();
}
console.log(`median of ${runs} (ms; SYNs as counts), outage ${outageMs} ms:`);
for (const [k, xs] of Object.entries(figures))
  console.log(
    `  ${k.padEnd(40)} median ${median(xs).toFixed(0).padStart(6)}   min ${Math.min(...xs)
      .toFixed(0)
      .padStart(6)}   max ${Math.max(...xs)
      .toFixed(0)
      .padStart(6)}`,
  );
