// Network namespaces for root integration tests. Every name starts with `cwt-`.
import { execFileSync } from 'node:child_process';
import { linuxHelperLaunch } from '../../../main/helper/client/launch-linux.js';
import type { LaunchSpec } from '../../../main/helper/client/launch.js';

export const IP = '/usr/sbin/ip';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function sh(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function inNetns(ns: string, cmd: string, args: readonly string[]): string {
  return sh(IP, ['netns', 'exec', ns, cmd, ...args]);
}

export function createNetns(ns: string): void {
  deleteNetns(ns);
  sh(IP, ['netns', 'add', ns]);
  inNetns(ns, IP, ['link', 'set', 'lo', 'up']);
}

export function deleteNetns(ns: string): void {
  try {
    sh(IP, ['netns', 'del', ns]);
  } catch {
    // not there
  }
}

/** An "uplink" so the namespace has a default route and a gateway to keep the server reachable through. */
export function addUplink(ns: string): void {
  inNetns(ns, IP, ['link', 'add', 'cwt-up0', 'type', 'veth', 'peer', 'name', 'cwt-up1']);
  inNetns(ns, IP, ['link', 'set', 'cwt-up0', 'up']);
  inNetns(ns, IP, ['link', 'set', 'cwt-up1', 'up']);
  inNetns(ns, IP, ['addr', 'add', '192.168.77.2/24', 'dev', 'cwt-up0']);
  inNetns(ns, IP, ['route', 'add', 'default', 'via', '192.168.77.1']);
}

export function linkNames(ns: string): string[] {
  const links = JSON.parse(inNetns(ns, IP, ['-j', 'link', 'show'])) as { ifname: string }[];
  return links.map((l) => l.ifname);
}

export function routeTable(ns: string): string {
  return inNetns(ns, IP, ['route', 'show']) + inNetns(ns, IP, ['-6', 'route', 'show']);
}

/** Every table's routes and both rule lists: what a tunnel's own table and rules show up in. */
export function allTables(ns: string): string {
  return [
    ['route', 'show', 'table', 'all'],
    ['-6', 'route', 'show', 'table', 'all'],
    ['rule', 'show'],
    ['-6', 'rule', 'show'],
  ]
    .map((args) => inNetns(ns, IP, args))
    .join('');
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 2000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The real helper, run as root directly inside `ns` (optionally behind more wrapping, e.g. unshare). */
export function helperIn(ns: string, outer: readonly string[] = []): LaunchSpec {
  return linuxHelperLaunch({ direct: true, wrap: [...outer, IP, 'netns', 'exec', ns] });
}

/**
 * Wrapping that gives the helper a private mount namespace with `file` bind-mounted over
 * /etc/resolv.conf, so DNS tests never touch the machine's resolver.
 */
export function privateResolvConf(file: string): string[] {
  return [
    '/usr/bin/unshare',
    '-m',
    '--propagation',
    'private',
    '/bin/sh',
    '-c',
    'mount --bind "$0" /etc/resolv.conf && exec "$@"',
    file,
  ];
}
