// Debian's resolvconf for DNS tests, never installed: its shell scripts extracted privately
// (debs.ts) and laid over /usr and /etc inside a resolver world (resolver-world.ts), where
// /etc/resolv.conf is its symlink to /run/resolvconf/resolv.conf and the "LAN" record eth0.dhclient
// holds the machine's resolver, as ifupdown/dhclient would have left it.
import { extractedPackage } from './debs.js';
import { startResolverWorld, type ResolverWorld } from './resolver-world.js';

export interface ResolvconfWorld extends ResolverWorld {
  /** The records, the generated file and the link, for byte-for-byte comparison. */
  snapshot(): Promise<string>;
}

export async function startResolvconf(netns: string, lanDns: string): Promise<ResolvconfWorld> {
  const root = await extractedPackage('resolvconf');
  const world = await startResolverWorld({
    netns,
    overlays: [root],
    setup: [
      // What the package's tmpfiles.d and postinst would make.
      'mkdir -p /run/resolvconf/interface',
      // What its init script does at boot: without this flag -a only stores the record.
      '/usr/sbin/resolvconf --enable-updates',
      'rm -f /etc/resolv.conf && ln -s ../run/resolvconf/resolv.conf /etc/resolv.conf',
      `printf 'nameserver ${lanDns}\\nsearch lan.example\\n' | /usr/sbin/resolvconf -a eth0.dhclient`,
      'test -s /run/resolvconf/resolv.conf',
    ],
  });
  return {
    ...world,
    snapshot: () =>
      world.sh(
        'cd /run/resolvconf/interface && for f in *; do echo "--- $f"; cat "$f"; done; echo "--- resolv.conf -> $(readlink /etc/resolv.conf)"; cat /etc/resolv.conf',
      ),
  };
}
