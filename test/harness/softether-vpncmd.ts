// vpncmd, SoftEther's admin tool, run against the server in its netns: commands through an /IN:
// file (never a shell), a private lang.config, and `timeout` around it because vpncmd can stop at an
// interactive prompt and spin.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, tool } from './netns.js';
import { tail } from './detached-child.js';
import { vpncmdMounts, withPrivateMounts } from './softether-mounts.js';

export const VPNCMD = '/usr/libexec/softether/vpncmd/vpncmd';

/** What vpncmd administers: the server (admin mode on localhost:443) or vpnclient (its own port). */
export type VpncmdTarget = 'server' | 'client';
const TARGET_ARGS: Record<VpncmdTarget, readonly [host: string, mode: string]> = {
  server: ['localhost:443', '/SERVER'],
  client: ['localhost', '/CLIENT'],
};

/**
 * Runs `cmds` against `target` in `netns`; `cmdDir` is a private folder (bind-mounted over
 * /var/lib/softether) and `seq` numbers the input file. Returns vpncmd's output.
 */
export async function runVpncmd(
  netns: string,
  cmdDir: string,
  seq: number,
  cmds: readonly string[],
  target: VpncmdTarget = 'server',
): Promise<string> {
  for (const cmd of cmds)
    if (/[\r\n]/.test(cmd)) throw new Error(`vpncmd command with a line break: ${JSON.stringify(cmd)}`);
  const input = join(cmdDir, `in-${seq}.txt`);
  await writeFile(input, `${cmds.join('\n')}\n`, { mode: 0o600 });
  const [host, mode] = TARGET_ARGS[target];
  const r = await run(
    tool('timeout'),
    [
      '-s',
      'KILL',
      '30',
      tool('ip'),
      'netns',
      'exec',
      netns,
      ...withPrivateMounts(vpncmdMounts(cmdDir), [VPNCMD, host, mode, `/IN:${input}`]),
    ],
    { timeoutMs: 35_000, allowFailure: true },
  );
  if (r.code !== 0) {
    throw new Error(`vpncmd ${mode} failed (exit ${r.code ?? r.signal ?? '?'}):\n${tail(r.stdout + r.stderr, 40)}`);
  }
  return r.stdout;
}
