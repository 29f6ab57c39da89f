// Both `causeway` launchers start node with a small V8 young generation (--max-semi-space-size=1):
// it keeps `causeway connect`'s peak RSS during a download at ~75 MB instead of ~117 (issue 17,
// test/bench/memory.ts). V8 reads the flag only when it starts, so it must reach node's own command
// line: through bin/causeway.js's #! line (`env -S`), and in the packaged shell launcher's exec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const FLAG = '--max-semi-space-size=1';

test('bin/causeway.js run as a program (as npm links it) gives node the young-generation flag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-launch-'));
  try {
    // Preloaded before the CLI: reports the flags node really got, then stops (no dist/ needed).
    const probe = join(dir, 'argv.cjs');
    writeFileSync(probe, 'process.stdout.write(JSON.stringify(process.execArgv)); process.exit(0);\n');
    const r = spawnSync(join(root, 'bin', 'causeway.js'), ['--version'], {
      env: { ...process.env, NODE_OPTIONS: `--require ${probe}` },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [FLAG]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the packaged launcher (resources/cli/causeway) gives its node the flag and drops NODE_OPTIONS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-launch-'));
  try {
    // The packaged layout: cli/causeway beside cli/causeway-cli.cjs, the runtime at node/node.
    mkdirSync(join(dir, 'cli'));
    mkdirSync(join(dir, 'node'));
    copyFileSync(join(root, 'resources', 'cli', 'causeway'), join(dir, 'cli', 'causeway'));
    symlinkSync(process.execPath, join(dir, 'node', 'node'));
    writeFileSync(
      join(dir, 'cli', 'causeway-cli.cjs'),
      'process.stdout.write(JSON.stringify([process.execArgv, process.argv.slice(2), process.env.NODE_OPTIONS ?? null]));\n',
    );
    const r = spawnSync('sh', [join(dir, 'cli', 'causeway'), 'connect', 'x'], {
      env: { ...process.env, NODE_OPTIONS: '--inspect' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [[FLAG], ['connect', 'x'], null]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
