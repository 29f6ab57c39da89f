// Preloaded into `causeway connect` by memory-cli.ts with `--probe` (node --require this file): what
// the process's resident memory is made of, from inside. Every 20 ms it samples process.memoryUsage()
// and V8's heap spaces and keeps the maxima; SIGUSR2 writes them (JSON) to $CAUSEWAY_MEM_PROBE and
// starts a new window, so the bench gets "connected and idle" and "during the download" apart.
// Sampling costs CPU: the bench takes CPU-s/GB from runs without the probe. CommonJS so that
// --require loads it before the CLI's ESM entry, without tsx.
/* global process, setInterval */
'use strict';
const { writeFileSync } = require('node:fs');
const v8 = require('node:v8');

const out = process.env.CAUSEWAY_MEM_PROBE;
let max = {};

function sample() {
  const m = process.memoryUsage();
  const now = {
    rss: m.rss,
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
  for (const s of v8.getHeapSpaceStatistics()) now[`space:${s.space_name}`] = s.space_size;
  for (const [k, v] of Object.entries(now)) if (!(max[k] >= v)) max[k] = v;
}

if (out !== undefined) {
  setInterval(sample, 20).unref();
  process.on('SIGUSR2', () => {
    sample();
    writeFileSync(out, JSON.stringify(max));
    max = {};
  });
}
