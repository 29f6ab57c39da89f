// Debian packages the DNS tests run from a private copy, never installed: systemd-resolved and
// resolvconf take over /etc/resolv.conf in their postinst, and this machine needs its own resolver
// (npm, apt). `apt-get download` + `dpkg -x` into a cache; setup-debian.sh may pre-fetch the .debs
// into /var/cache/causeway-test-debs so a test run needs no network.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { harnessRoot } from './state.js';
import { run, tool } from './netns.js';

const PREFETCHED = '/var/cache/causeway-test-debs';

/** The package's files under a private root (its /etc, /lib, /usr/… below it), extracted once. */
export async function extractedPackage(pkg: 'systemd-resolved' | 'resolvconf' | 'systemd'): Promise<string> {
  const cache = join(harnessRoot(), 'debs');
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  const root = join(cache, `root-${pkg}`);
  if (existsSync(join(root, '.done'))) return root;
  const deb = findDeb(PREFETCHED, pkg) ?? findDeb(cache, pkg) ?? (await download(cache, pkg));
  await run(tool('rm'), ['-rf', root]);
  mkdirSync(root, { recursive: true });
  await run(tool('dpkg'), ['-x', deb, root]);
  await run(tool('touch'), [join(root, '.done')]);
  return root;
}

function findDeb(dir: string, pkg: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  return name === undefined ? undefined : join(dir, name);
}

async function download(dir: string, pkg: string): Promise<string> {
  // _apt cannot write into our private folder: download as root, as apt itself says it will.
  await run(tool('apt-get'), ['download', '-q', pkg], { cwd: dir, timeoutMs: 120_000 });
  const deb = findDeb(dir, pkg);
  if (deb === undefined) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
  return deb;
}
