#!/usr/bin/env -S node --max-semi-space-size=1
// The `causeway` command. The CLI is TypeScript compiled to dist/ by `npm run build` (run by npm install).
// --max-semi-space-size=1 (MB; V8's default lets the young generation grow to 16 MB per semi-space):
// every 16 KiB TLS chunk is an ArrayBuffer freed only when a scavenge finds its Buffer dead, so a
// large young generation let ~30 MB of spent chunks and ~17 MB of new space pile up during a
// download: connect peaked at 117 MB RSS, 75 MB with this flag, and spent less CPU per GB, not more
// (test/bench/memory.ts, issue 17). V8 sizes the heap when it starts, so the flag must be on node's
// command line (v8.setFlagsFromString here has no effect); `node bin/causeway.js` runs without it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('causeway: the CLI is not built yet. Run `npm install` (or `npm run build`) in the Causeway folder.');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
