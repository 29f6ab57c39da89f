// Memory of Causeway's processes (issue 17 targets: the root helper <= 50 MB RSS; `causeway connect`
// <= 80 MB at full load with one session). Needs root and `npm run build` (dist/).
//
// usage: node --import tsx test/bench/memory.ts [helper [ENTRY...]]   (entries relative to the repo)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareNodeMb, measureHelper } from './memory-helper.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const what = process.argv[2] ?? 'helper';
const entries = process.argv.slice(3);

if (process.getuid?.() !== 0) {
  console.error('memory.ts: needs root (the helper creates a TUN in a private namespace)');
  process.exit(1);
}

if (what === 'helper') {
  console.log(`bare node idle: ${await bareNodeMb()} MB VmRSS`);
  const defaults = ['dist/helper/causeway-helper.cjs', 'dist/main/helper/root/main.js'];
  for (const entry of entries.length > 0 ? entries : defaults) {
    const f = await measureHelper(root, entry);
    console.log(
      `helper ${f.entry}: idle ${f.idleMb} MB, after a connect's requests ${f.afterConnectMb} MB, peak ${f.peakMb} MB`,
    );
  }
}
