// vpncmd, SoftEther's admin tool, run against the server in its netns: commands through an /IN:
// file (never a shell), a private lang.config, and `timeout` around it because vpncmd can stop at an
// interactive prompt and spin.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, tool } from './netns.js';
import { tail } from './detached-child.js';

export const VPNCMD = '/usr/libexec/softether/vpncmd/vpncmd';

/**
 * Runs `cmds` in server admin mode against localhost:443 in `netns`; `cmdDir` is a private folder
 * (bind-mounted over /var/lib/softether) and `seq` numbers the input file. Returns vpncmd's output.
 */
export async function runVpncmd(netns: string, cmdDir: string, seq: number, cmds: readonly string[]): Promise<string> {
  for (const cmd of cmds)
    if (/[\r\n]/.test(cmd)) throw new Error(`vpncmd command with a line break: ${JSON.stringify(cmd)}`);
  const input = join(cmdDir, `in-${seq}.txt`);
  await writeFile(input, `${cmds.join('\n')}\n`, { mode: 0o600 });
  // vpncmd keeps lang.config in the compiled-in /var/lib/softether: give it a private one.
  const script = 'mount --bind "$1" /var/lib/softether && shift && exec "$@"';
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
      tool('unshare'),
      '-m',
      '--propagation',
      'private',
      '--',
      tool('sh'),
      '-c',
      script,
      'sh',
      cmdDir,
      VPNCMD,
      'localhost:443',
      '/SERVER',
      `/IN:${input}`,
    ],
    { timeoutMs: 35_000, allowFailure: true },
  );
  if (r.code !== 0) {
    throw new Error(`vpncmd failed (exit ${r.code ?? r.signal ?? '?'}):\n${tail(r.stdout + r.stderr, 40)}`);
  }
  return r.stdout;
}
