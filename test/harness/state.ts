// Where the harness keeps its files: one private folder under os.tmpdir(), so that leftovers of a
// run that was SIGKILLed can be found and removed by the next one.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debug, isAlive } from './netns.js';

/** os.tmpdir()/causeway-harness, refusing a folder someone else planted there. */
export function harnessRoot(): string {
  const root = join(tmpdir(), 'causeway-harness');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = lstatSync(root);
  if (!st.isDirectory() || st.uid !== process.getuid?.()) {
    throw new Error(`${root} is not a directory owned by us; remove it`);
  }
  return root;
}

/**
 * A fresh private folder `<kind>-<our pid>-XXXXXX` in the harness root. Folders of the same kind
 * whose pid is gone are removed first: their owner died without cleaning up.
 */
export function makeOwnedDir(kind: string): string {
  const root = harnessRoot();
  const pattern = new RegExp(`^${kind}-(\\d+)-`);
  for (const entry of readdirSync(root)) {
    const owner = pattern.exec(entry)?.[1];
    if (owner !== undefined && !isAlive(Number(owner))) {
      debug(`removing ${entry}, left by pid ${owner}`);
      rmSync(join(root, entry), { recursive: true, force: true });
    }
  }
  return mkdtempSync(join(root, `${kind}-${process.pid}-`));
}
