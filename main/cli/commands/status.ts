// `causeway status`: the tunnels that `causeway connect` processes of this user have up, asked over
// their control sockets (see services/runtime).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT, LOCAL_EXIT_CODES_HELP } from '../exit-codes.js';
import { registryDir } from '../runtime-registry.js';
import { formatStatus, uptimeMs } from '../status-format.js';
import { listTunnels, type RegistryDeps } from '../../services/runtime/registry.js';

export interface StatusDeps extends RegistryDeps {
  readonly dir?: string;
  readonly now?: () => number;
}

export function registerStatusCommand(program: Command, ctx: CliContext, deps: StatusDeps = {}): void {
  program
    .command('status')
    .description(
      'show the tunnels that `causeway connect` has up (in any terminal): profile, addresses, interface, uptime, traffic',
    )
    .option('--json', 'print one JSON object: { "event": "status", "tunnels": [...] }')
    .addHelpText(
      'after',
      `\nA tunnel started with sudo shows up for the user who ran sudo.\n\n${LOCAL_EXIT_CODES_HELP}\n`,
    )
    .action(async (o: { json?: boolean }) => {
      const dir = deps.dir ?? registryDir(ctx.env);
      if (typeof dir !== 'string' && !dir.ok) {
        ctx.stderr(`causeway: ${dir.error.message}\n`);
        return ctx.setExitCode(EXIT.failure);
      }
      const listing = await listTunnels(typeof dir === 'string' ? dir : dir.dir, deps);
      for (const p of listing.problems) ctx.stderr(`causeway: warning: a tunnel did not answer: ${p}\n`);
      const now = (deps.now ?? Date.now)();
      const tunnels = listing.tunnels.map((t) => t.status);
      if (o.json)
        ctx.stdout(
          JSON.stringify({ event: 'status', tunnels: tunnels.map((t) => ({ ...t, uptimeMs: uptimeMs(t, now) })) }) +
            '\n',
        );
      else ctx.stdout(formatStatus(tunnels, now));
      ctx.setExitCode(EXIT.ok);
    });
}
