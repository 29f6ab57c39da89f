// Memory of Causeway's processes (issue 17 targets: the root helper <= 50 MB RSS; `causeway connect`
// <= 80 MB at full load with one session). Needs root and `npm run build` (dist/).
//
// usage: node --import tsx test/bench/memory.ts [all|cli|helper] [options]   (npm run bench:memory)
//   helper [ENTRY...]     the root helper: bundle and build tree (entries relative to the repo)
//   cli [--size MB] [--runs N] [--flags 'A;B'] [--probe]
//                         `causeway connect` idle and during an N MB download through SoftEther;
//                         --flags: extra node flag sets to compare (';' between sets, ',' within one),
//                         e.g. --flags '--max-semi-space-size=1;--max-semi-space-size=4'; --probe adds
//                         a run with memory-probe.cjs (heap, external, arrayBuffers, V8 spaces)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './throughput-lib.js';
import { bareNodeMb, measureHelper } from './memory-helper.js';
import { startCliBench, type CliFigures, type CliVariant } from './memory-cli.js';
import { printCli } from './memory-report.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const argv = process.argv.slice(2);
const what = argv[0] !== undefined && !argv[0].startsWith('--') ? argv[0] : 'all';
const rest = what === argv[0] ? argv.slice(1) : argv;

function opt(name: string): string | undefined {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
}

if (process.getuid?.() !== 0) {
  console.error('memory.ts: needs root (the helper creates a TUN in a private namespace)');
  process.exit(1);
}
const load = () => readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');

console.log(`bare node idle: ${await bareNodeMb()} MB VmRSS (load average ${load()})`);
if (what === 'cli' || what === 'all') {
  const sizeMb = Number(opt('--size') ?? '200');
  const runs = Number(opt('--runs') ?? '1');
  const sets = (opt('--flags') ?? '').split(';').filter((s) => s !== '');
  const variants: CliVariant[] = [
    { label: 'bin/causeway.js (its #! line)', nodeFlags: 'shebang', probe: false },
    { label: 'node bin/causeway.js (no flags)', nodeFlags: [], probe: false },
    ...sets.map((s) => ({ label: s, nodeFlags: s.split(','), probe: false })),
  ];
  const bench = await startCliBench(sizeMb);
  const watchdog = setTimeout(() => {
    console.error('memory.ts: watchdog (900 s)');
    process.exit(1);
  }, 900_000);
  try {
    const all: CliFigures[][] = variants.map(() => []);
    // Rounds rotate the variants, so background load hits them alike.
    for (let r = 0; r < runs; r++)
      for (let k = 0; k < variants.length; k++) {
        const i = (k + r) % variants.length;
        const v = variants[i];
        if (v) all[i]?.push(await bench.run(v));
      }
    // The probe's runs one after the other: with and without bin/causeway.js's flags.
    const probed: CliFigures[] = [];
    if (rest.includes('--probe'))
      for (const v of variants.slice(0, 2)) probed.push(await bench.run({ ...v, probe: true }));
    console.log(`\n${sizeMb} MB download through SoftEther, ${runs} run(s) per variant, load average ${load()}`);
    printCli(all, median, probed);
  } finally {
    clearTimeout(watchdog);
    await bench.stop();
  }
}
if (what === 'helper' || what === 'all') {
  const entries = what === 'helper' ? rest : [];
  const defaults = ['dist/helper/causeway-helper.cjs', 'dist/main/helper/root/main.js'];
  for (const entry of entries.length > 0 ? entries : defaults) {
    const f = await measureHelper(root, entry);
    console.log(
      `helper ${f.entry}: idle ${f.idleMb} MB, after a connect's requests ${f.afterConnectMb} MB, peak ${f.peakMb} MB`,
    );
  }
}
