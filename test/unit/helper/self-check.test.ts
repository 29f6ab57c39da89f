// The bundled helper's self-check: started as itself, and runtime, bundle and addon writable by root only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { selfCheck } from '../../../main/helper/root/self-check.js';

function layoutTree(t: { after: (fn: () => void) => void }): { bundle: string; addon: string; runtime: string } {
  const root = mkdtempSync(join(tmpdir(), 'cw-self-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const file = (p: string, mode: number) => {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, 'x');
    chmodSync(p, mode);
    return p;
  };
  return {
    bundle: file(join(root, 'resources', 'helper', 'causeway-helper.cjs'), 0o644),
    addon: file(join(root, 'resources', 'native', 'causeway_tun.node'), 0o755),
    runtime: file(join(root, 'resources', 'node', 'node'), 0o755),
  };
}

const uid = process.getuid?.() ?? 0;

test('development layouts check nothing here (the resolver checks the addon when it loads it)', () => {
  assert.deepEqual(
    selfCheck({
      layout: { kind: 'build-tree', moduleFile: '/w/dist/main/helper/root/main.js' },
      script: undefined,
      runtime: '/usr/bin/node',
      trust: { uid },
    }),
    { ok: true, checked: [] },
  );
});

test('a bundle of trusted files, started as itself, passes and names what it checked', (t) => {
  const { bundle, addon, runtime } = layoutTree(t);
  const r = selfCheck({ layout: { kind: 'bundle', bundleFile: bundle }, script: bundle, runtime, trust: { uid } });
  assert.deepEqual(r, { ok: true, checked: [runtime, bundle, addon] });
});

test('refused: loaded by another script (node -e "require(…)")', (t) => {
  const { bundle, runtime } = layoutTree(t);
  for (const script of [undefined, join(dirname(bundle), 'other.js')]) {
    const r = selfCheck({ layout: { kind: 'bundle', bundleFile: bundle }, script, runtime, trust: { uid } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, /^started as .*, not as /);
  }
});

test('refused: a writable addon, bundle or runtime, or a missing addon', (t) => {
  for (const which of ['addon', 'bundle', 'runtime', 'missing'] as const) {
    const tree = layoutTree(t);
    if (which === 'missing') rmSync(tree.addon);
    else chmodSync(tree[which], 0o666);
    const r = selfCheck({
      layout: { kind: 'bundle', bundleFile: tree.bundle },
      script: tree.bundle,
      runtime: tree.runtime,
      trust: { uid },
    });
    assert.equal(r.ok, false, which);
    if (!r.ok)
      assert.match(
        r.reason,
        which === 'missing' ? /causeway_tun\.node does not exist/ : /writable by its group or others/,
        which,
      );
  }
});
