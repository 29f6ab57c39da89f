// The house's import rules really bite: the depcruise step of `npm run lint`, with the project's own
// .dependency-cruiser.cjs, run on scratch trees that break one rule each (and on one that breaks none).
// Imports use NodeNext `.js` specifiers and `import type`, as the real code does, so a config that
// stopped resolving them to .ts would be caught here rather than silently check nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** The depcruise arguments exactly as `npm run lint` passes them, with the config made absolute. */
function lintArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const step = (pkg.scripts.lint ?? '')
    .split('&&')
    .map((s) => s.trim())
    .find((s) => s.startsWith('depcruise '));
  assert.ok(step, 'npm run lint runs depcruise');
  const args = step.split(/\s+/).slice(1);
  const c = args.indexOf('--config');
  assert.ok(c !== -1 && args[c + 1], 'lint names its depcruise config');
  args[c + 1] = join(ROOT, args[c + 1]!);
  return args;
}

// The scratch trees resolve like the real one: the project's compiler options, without its
// `types` (a scratch tree has no node_modules to find @types/node in).
const compilerOptions = (() => {
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: Record<string, unknown>;
  };
  const { types: _types, ...rest } = tsconfig.compilerOptions;
  return rest;
})();

const scratchRoot = mkdtempSync(join(tmpdir(), 'causeway-house-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

/** A tree with the project's top folders and the given files (path → source). */
function scratch(name: string, files: Record<string, string>): string {
  const dir = join(scratchRoot, name);
  const all: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions, include: ['main/**/*.ts', 'renderer/**/*.ts'] }),
    'renderer/src/main.ts': 'export const page = 1;\n',
    'main/engine/clock.ts': 'export interface Clock { now(): number }\nexport const tick = 1;\n',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function cruise(dir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEPCRUISE, ...lintArgs()], { cwd: dir });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the house import rules (npm run lint)', { concurrency: true }, () => {
  it('pass on a clean tree whose imports all run downhill', async () => {
    const dir = scratch('clean', {
      'main/services/y.ts':
        "import { tick, type Clock } from '../engine/clock.js';\nexport const y = (c: Clock) => c.now() + tick;\n",
      'main/contract/model.ts':
        "import type { Clock } from '../engine/clock.js';\nexport type Model = { clock: Clock };\n",
      'main/cli/z.ts':
        "import { y } from '../services/y.js';\nimport type { Model } from '../contract/model.js';\nexport const z = (m: Model) => y(m.clock);\n",
    });
    const r = await cruise(dir);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /no dependency violations found/);
  });

  it('fail on an engine file that imports from services, even a type', async () => {
    const dir = scratch('engine-up', {
      'main/services/y.ts': 'export interface Y { readonly y: number }\n',
      'main/engine/x.ts': "import type { Y } from '../services/y.js';\nexport const x = (y: Y) => y.y;\n",
    });
    const r = await cruise(dir);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /engine-stays-down: main\/engine\/x\.ts → main\/services\/y\.ts/);
  });

  it('fail on a two-file circle', async () => {
    const dir = scratch('circle', {
      'main/services/a.ts': "import { b } from './b.js';\nexport const a = () => b() + 1;\n",
      'main/services/b.ts': "import type { a } from './a.js';\nexport const b = (): ReturnType<typeof a> => 0;\n",
    });
    const r = await cruise(dir);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /no-circular: main\/services\/a\.ts/);
  });

  it('fail on a contract that imports from services', async () => {
    const dir = scratch('contract-up', {
      'main/services/y.ts': 'export interface Y { readonly y: number }\n',
      'main/contract/model.ts': "import type { Y } from '../services/y.js';\nexport type Model = Y;\n",
    });
    const r = await cruise(dir);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /contract-only-itself-zod-engine: main\/contract\/model\.ts → main\/services\/y\.ts/);
  });

  it('fail on a renderer that reaches past the contract or into node:', async () => {
    const dir = scratch('renderer-out', {
      'main/services/y.ts': 'export const y = 1;\n',
      'renderer/src/main.ts':
        "import { readFileSync } from 'node:fs';\nimport { y } from '../../main/services/y.js';\nexport const page = [readFileSync, y];\n",
    });
    const r = await cruise(dir);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /renderer-no-node: renderer\/src\/main\.ts → fs/);
    assert.match(r.out, /renderer-only-contract: renderer\/src\/main\.ts → main\/services\/y\.ts/);
  });

  it('fail on the root helper importing services', async () => {
    const dir = scratch('helper-up', {
      'main/services/y.ts': 'export const y = 1;\n',
      'main/helper/h.ts': "import { y } from '../services/y.js';\nexport const h = y;\n",
    });
    const r = await cruise(dir);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /helper-not-to-services-app-cli: main\/helper\/h\.ts → main\/services\/y\.ts/);
  });

  it("fail on the helper's unprivileged client importing its root side", async () => {
    const dir = scratch('helper-sides', {
      'main/helper/protocol.ts': 'export const p = 1;\n',
      'main/helper/root/r.ts': "import { p } from '../protocol.js';\nexport const r = p;\n",
      'main/helper/client/c.ts': "import { r } from '../root/r.js';\nexport const c = r;\n",
    });
    const r = await cruise(dir);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /helper-sides-apart: main\/helper\/client\/c\.ts → main\/helper\/root\/r\.ts/);
    assert.doesNotMatch(r.out, /main\/helper\/root\/r\.ts → main\/helper\/protocol\.ts/);
  });
});
