#!/usr/bin/env node
// Runs the test suites with Node's own test runner (TypeScript through tsx).
// usage: node test/run.mjs [unit] [integration] [-- extra node --test args]
// Each suite is a folder under test/; files ending in .test.ts are collected recursively.
import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const dash = args.indexOf('--');
const suites = dash === -1 ? args : args.slice(0, dash);
const extra = dash === -1 ? [] : args.slice(dash + 1);
const filter = process.env.TEST_FILTER ?? '';

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith('.test.ts') && p.includes(filter)) out.push(p);
  }
  return out;
}

let status = 0;
for (const suite of suites.length ? suites : ['unit']) {
  const files = collect(join(here, suite));
  if (files.length === 0) {
    console.error(`no test files in test/${suite}`);
    status = 1;
    continue;
  }
  console.log(`\n=== ${suite}: ${files.length} files ===`);
  // Integration suites share machine-wide resources (netns names, ports): run their files one at a time.
  const concurrency = suite === 'unit' ? [] : ['--test-concurrency=1'];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...concurrency, ...extra, ...files], {
    stdio: 'inherit',
  });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
