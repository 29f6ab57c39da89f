// The version `causeway --version` prints: package.json's. The one-file bundle of a package cannot read
// package.json (it is inside app.asar), so the bundler may define __CAUSEWAY_VERSION__; otherwise it is
// found by walking up from this file (two levels deep in the source tree, three in dist/).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __CAUSEWAY_VERSION__: string | undefined;

export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  if (typeof __CAUSEWAY_VERSION__ === 'string') return __CAUSEWAY_VERSION__;
  let dir = dirname(from);
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'causeway' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* not here; keep walking up */
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
