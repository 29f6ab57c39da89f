// Everything the helper touches besides commands, behind one seam so unit tests run without root.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { CommandRunner } from './command-runner.js';
import { systemRunner } from './command-runner.js';

export interface HelperSystem {
  readonly runner: CommandRunner;
  /** systemd-resolved is running and resolvectl is installed. */
  resolvedActive(): boolean;
  /** Current /etc/resolv.conf text ('' when absent). */
  readResolvConf(): string;
  /** Rewrites /etc/resolv.conf in place (it is often a bind mount or symlink: no rename). */
  writeResolvConf(text: string): void;
}

export const RESOLV_CONF = '/etc/resolv.conf';
const RESOLVED_SOCKET = '/run/systemd/resolve/io.systemd.Resolve';
const MAX_RESOLV_CONF = 64 * 1024;

export function linuxSystem(runner: CommandRunner = systemRunner()): HelperSystem {
  return {
    runner,
    resolvedActive: () => existsSync(RESOLVED_SOCKET) && runner.has('resolvectl'),
    readResolvConf() {
      try {
        return readFileSync(RESOLV_CONF, 'utf8').slice(0, MAX_RESOLV_CONF);
      } catch {
        return '';
      }
    },
    writeResolvConf: (text) => writeFileSync(RESOLV_CONF, text, { mode: 0o644 }),
  };
}
