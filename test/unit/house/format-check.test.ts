// The formatter step of `npm run lint` really bites: prettier --check exactly as lint runs it, with the
// project's own .prettierrc.json and .prettierignore, on a scratch folder holding one clean and one
// badly laid-out file of each kind the tree has (TypeScript, Svelte). Clean must pass and each bad file
// must fail by name, so the test fails if the check stops checking as well as if it stops passing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PRETTIER = join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');

/** The prettier arguments exactly as `npm run lint` passes them. */
function lintArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const step = (pkg.scripts.lint ?? '')
    .split('&&')
    .map((s) => s.trim())
    .find((s) => s.startsWith('prettier '));
  assert.ok(step, 'npm run lint runs prettier');
  const args = step.split(/\s+/).slice(1);
  assert.ok(args.includes('--check'), 'lint runs prettier in --check mode (never --write)');
  return args;
}

const CLEAN_TS = [
  "import { join } from 'node:path';",
  '',
  'export function where(dir: string, name: string): string {',
  "  return join(dir, name + '.ts');",
  '}',
  '',
].join('\n');

// Double quotes, a missing semicolon, a 150-column line: three things the house style rewrites.
const BAD_TS = [
  'import { join } from "node:path"',
  '',
  'export function where(dir: string, name: string, first: string, second: string, third: string, fourth: string): string { return join(dir, name) }',
  '',
].join('\n');

const CLEAN_SVELTE = [
  '<script lang="ts">',
  '  let { label }: { label: string } = $props();',
  '</script>',
  '',
  '<button type="button">{label}</button>',
  '',
].join('\n');

const BAD_SVELTE = [
  '<script lang="ts">',
  'let { label }: { label: string } = $props()',
  '</script>',
  '<button   type="button" >{label}</button>',
  '',
].join('\n');

const scratchRoot = mkdtempSync(join(tmpdir(), 'causeway-format-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

/** A folder with the project's prettier config and ignore file, plus the given files. */
function scratch(name: string, files: Record<string, string>): string {
  const dir = join(scratchRoot, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['.prettierrc.json', '.prettierignore']) copyFileSync(join(ROOT, f), join(dir, f));
  // The config names prettier-plugin-svelte, which prettier resolves from the folder's node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function check(dir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // No colours: under CI=true prettier's terminal detection wraps "warn" in escape codes.
    const child = spawn(process.execPath, [PRETTIER, ...lintArgs()], {
      cwd: dir,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the house formatter (npm run lint)', { concurrency: true }, () => {
  it('passes on files already in the house style', async () => {
    const r = await check(scratch('clean', { 'main/x.ts': CLEAN_TS, 'renderer/src/B.svelte': CLEAN_SVELTE }));
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /All matched files use Prettier code style/);
  });

  it('fails on an unformatted TypeScript file, naming it', async () => {
    const r = await check(scratch('bad-ts', { 'main/x.ts': BAD_TS, 'renderer/src/B.svelte': CLEAN_SVELTE }));
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /\[warn\] main\/x\.ts/);
    assert.doesNotMatch(r.out, /B\.svelte/);
  });

  it('fails on an unformatted Svelte component, naming it', async () => {
    const r = await check(scratch('bad-svelte', { 'main/x.ts': CLEAN_TS, 'renderer/src/B.svelte': BAD_SVELTE }));
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /\[warn\] renderer\/src\/B\.svelte/);
    assert.doesNotMatch(r.out, /main\/x\.ts/);
  });
});
