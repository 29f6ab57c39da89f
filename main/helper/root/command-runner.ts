// The helper's only way to change the system: fixed binaries by absolute path, argument arrays,
// no shell. Tests substitute a fake that records the argument arrays.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export type Program = 'ip' | 'resolvectl' | 'nft' | 'resolvconf';

export interface CommandResult {
  /** Exit status; 127 when the program is not installed, -1 when it was killed (timeout). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandRunner {
  /** Never rejects: failures come back as a non-zero code with stderr. `input` is written to its stdin. */
  run(program: Program, args: readonly string[], input?: string): Promise<CommandResult>;
  /** Whether the program is installed at one of its fixed paths. */
  has(program: Program): boolean;
}

/** Where each program may live. PATH is never consulted. */
const CANDIDATES: Record<Program, readonly string[]> = {
  ip: ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'],
  resolvectl: ['/usr/bin/resolvectl', '/bin/resolvectl'],
  nft: ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'],
  // Debian's resolvconf and openresolv both install here (/sbin is /usr/sbin on merged-/usr systems).
  resolvconf: ['/usr/sbin/resolvconf', '/sbin/resolvconf'],
};

const TIMEOUT_MS = 10_000;

export function systemRunner(): CommandRunner {
  const paths = new Map<Program, string | undefined>();
  const locate = (program: Program): string | undefined => {
    if (!paths.has(program))
      paths.set(
        program,
        CANDIDATES[program].find((p) => existsSync(p)),
      );
    return paths.get(program);
  };
  return {
    has: (program) => locate(program) !== undefined,
    run(program, args, input) {
      const file = locate(program);
      if (file === undefined) return Promise.resolve({ code: 127, stdout: '', stderr: `${program} is not installed` });
      return new Promise((resolve) => {
        const child = execFile(
          file,
          [...args],
          {
            shell: false,
            timeout: TIMEOUT_MS,
            maxBuffer: 1024 * 1024,
            env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
          },
          (error, stdout, stderr) => {
            if (error === null) return resolve({ code: 0, stdout, stderr });
            const code = typeof error.code === 'number' ? error.code : error.killed ? -1 : 1;
            resolve({ code, stdout, stderr: stderr || error.message });
          },
        );
        // `resolvconf -a` reads its record from stdin; everything else gets an empty, closed stdin.
        child.stdin?.on('error', () => {});
        child.stdin?.end(input ?? '');
      });
    },
  };
}
