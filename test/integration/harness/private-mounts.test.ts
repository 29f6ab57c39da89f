// The harness's one private-mount command line (softether-mounts.ts), run for real: inside, the
// command sees our files over SoftEther's compiled-in folders and /etc/resolv.conf; outside, nothing
// changed; paths with spaces and shell characters arrive as arguments, never as script text.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { requireRoot } from '../../harness/integration-check.js';
import { run } from '../../harness/netns.js';
import { daemonMounts, SOFTETHER_DIRS, vpncmdMounts, withPrivateMounts } from '../../harness/softether-mounts.js';

const root = requireRoot();
const skip = root.ok ? false : root.why;

describe('private mounts for SoftEther programs', { skip, timeout: 30_000 }, () => {
  // A name a shell would split or expand if it ever became script text.
  const dir = mkdtempSync(join(tmpdir(), 'cw mounts $(x) '));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const dirs = { db: join(dir, 'db'), log: join(dir, 'log'), run: join(dir, 'run') };
  for (const [name, d] of Object.entries(dirs)) {
    mkdirSync(d);
    writeFileSync(join(d, 'which'), `${name}\n`);
  }
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 192.0.2.53\n');
  for (const d of Object.values(SOFTETHER_DIRS)) mkdirSync(d, { recursive: true, mode: 0o755 });

  const inside = async (argv: string[]) => {
    const [file, ...args] = argv;
    assert.ok(file);
    const r = await run(file, args, { allowFailure: true, timeoutMs: 10_000 });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it("a daemon's four: each folder and resolv.conf is ours inside, the machine's outside", async () => {
    const hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
    const files = [...Object.values(SOFTETHER_DIRS).map((d) => join(d, 'which')), '/etc/resolv.conf'];
    const out = await inside(withPrivateMounts(daemonMounts(dirs, resolv), ['cat', ...files]));
    assert.equal(out, 'db\nlog\nrun\nnameserver 192.0.2.53\n');
    assert.equal(readFileSync('/etc/resolv.conf', 'utf8'), hostResolv, 'the host keeps its resolv.conf');
    for (const d of Object.values(SOFTETHER_DIRS))
      assert.throws(() => readFileSync(join(d, 'which')), /ENOENT/, `${d} outside is untouched`);
  });

  it("vpncmd's one, and the command's own arguments pass through unchanged", async () => {
    const out = await inside(
      withPrivateMounts(vpncmdMounts(dirs.db), [
        'sh',
        '-c',
        'cat "$1"/which; printf "%s|" "$@"',
        'x',
        SOFTETHER_DIRS.db,
        'a b',
        '$HOME',
      ]),
    );
    assert.equal(out, `db\n${SOFTETHER_DIRS.db}|a b|$HOME|`);
  });
});
