// SoftEther's programs (vpnserver, vpnclient, vpncmd) have their state folders compiled in, so each
// runs in a mount namespace of its own (`unshare -m`, private propagation) with private folders
// bind-mounted over those. The one place that builds that command line.
import { tool } from './netns.js';

/** The folders SoftEther's binaries have compiled in. */
export const SOFTETHER_DIRS = { db: '/var/lib/softether', log: '/var/log/softether', run: '/run/softether' } as const;

export interface BindMount {
  /** Our private file or folder... */
  readonly from: string;
  /** ...mounted over this one, inside the new mount namespace only. */
  readonly onto: string;
}

/**
 * The argv that runs `command` in a new private mount namespace with `binds` in place. The mounts
 * must happen inside it, right before exec, so a tiny fixed sh script does them; every path reaches
 * it as a positional argument, never as script text.
 */
export function withPrivateMounts(binds: readonly BindMount[], command: readonly string[]): string[] {
  const mounts = binds.map((_, i) => `mount --bind "$${2 * i + 1}" "$${2 * i + 2}"`);
  const script = [...mounts, `shift ${2 * binds.length}`, 'exec "$@"'].join(' && ');
  const paths = binds.flatMap((b) => [b.from, b.onto]);
  return [
    tool('unshare'),
    '-m',
    '--propagation',
    'private',
    '--',
    tool('sh'),
    '-c',
    script,
    'sh',
    ...paths,
    ...command,
  ];
}

/** A daemon's (vpnserver, vpnclient): its three state folders, and a resolv.conf of its own. */
export function daemonMounts(dirs: { db: string; log: string; run: string }, resolvConf: string): BindMount[] {
  return [
    { from: dirs.db, onto: SOFTETHER_DIRS.db },
    { from: dirs.log, onto: SOFTETHER_DIRS.log },
    { from: dirs.run, onto: SOFTETHER_DIRS.run },
    { from: resolvConf, onto: '/etc/resolv.conf' },
  ];
}

/** vpncmd's: it keeps lang.config in /var/lib/softether (and may stop at a prompt without one). */
export function vpncmdMounts(cmdDir: string): BindMount[] {
  return [{ from: cmdDir, onto: SOFTETHER_DIRS.db }];
}
