// The renderer is untrusted web content: it may import only types from main/, and nothing of Node or Electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../../renderer/src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte)$/.test(n) ? [p] : [];
  });
}

test('renderer sources import only types from the contract, nothing from node: or electron', () => {
  const problems: string[] = [];
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^\s*import\s+(type\s+)?[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
      const [line, typeOnly, spec] = [m[0], m[1], m[2] ?? ''];
      if (spec.startsWith('node:') || spec === 'electron' || /^(fs|path|child_process|net|os)$/.test(spec))
        problems.push(`${f}: ${line.trim()}`);
      if ((spec === '$contract' || spec.includes('/main/')) && !typeOnly)
        problems.push(`${f}: value import from main: ${line.trim()}`);
    }
  }
  assert.deepEqual(problems, []);
});
