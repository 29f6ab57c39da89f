// `causeway disconnect [NAME|--all]`: asks running `causeway connect` processes to go down, with the
// same clean teardown as Ctrl-C in their terminal (routes and DNS undone, that process exits 0), and
// returns once they report it done.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT, LOCAL_EXIT_CODES_HELP } from '../exit-codes.js';
import { reply } from '../profiles/reply.js';
import { registryDir } from '../runtime-registry.js';
import {
  disconnectTunnel,
  listTunnels,
  type RegisteredTunnel,
  type RegistryDeps,
} from '../../services/runtime/registry.js';

export interface DisconnectDeps extends RegistryDeps {
  readonly dir?: string;
}

export type Selection =
  | { readonly ok: true; readonly chosen: readonly RegisteredTunnel[] }
  | { readonly ok: false; readonly code: number; readonly message: string };

/** By profile name (any case), profile id, interface or pid; with no name, the only tunnel up. */
export function selectTunnels(up: readonly RegisteredTunnel[], name: string | undefined, all: boolean): Selection {
  if (all) return { ok: true, chosen: up };
  if (name === undefined) {
    if (up.length === 1) return { ok: true, chosen: up };
    if (up.length === 0) return { ok: false, code: EXIT.failure, message: 'No tunnel is up.' };
    return {
      ok: false,
      code: EXIT.usage,
      message: `${up.length} tunnels are up (${up.map((t) => t.status.name).join(', ')}); name one, or give --all.`,
    };
  }
  const lower = name.toLowerCase();
  const chosen = up.filter(
    (t) =>
      t.status.name.toLowerCase() === lower ||
      t.status.profileId === name ||
      t.status.interface === name ||
      String(t.status.pid) === name,
  );
  if (chosen.length === 0)
    return { ok: false, code: EXIT.failure, message: `No tunnel named "${name}" is up (see \`causeway status\`).` };
  return { ok: true, chosen };
}

export function registerDisconnectCommand(program: Command, ctx: CliContext, deps: DisconnectDeps = {}): void {
  program
    .command('disconnect')
    .description('bring down a tunnel started by `causeway connect` in another terminal (routes and DNS are undone)')
    .argument(
      '[name]',
      'the profile name or id, the interface, or the pid of the `connect` (default: the only tunnel up)',
    )
    .option('--all', 'bring down every tunnel')
    .option('--json', 'print JSON lines')
    .addHelpText('after', `\n${LOCAL_EXIT_CODES_HELP}\n`)
    .action(async (name: string | undefined, o: { all?: boolean; json?: boolean }) => {
      const r = reply(ctx, o.json);
      if (name !== undefined && o.all) return r.fail(EXIT.usage, 'give a name or --all, not both');
      const dir = deps.dir ?? registryDir(ctx.env);
      if (typeof dir !== 'string' && !dir.ok) return r.fail(EXIT.failure, dir.error.message);
      const listing = await listTunnels(typeof dir === 'string' ? dir : dir.dir, deps);
      for (const p of listing.problems) ctx.stderr(`causeway: warning: a tunnel did not answer: ${p}\n`);
      const sel = selectTunnels(listing.tunnels, name, o.all === true);
      if (!sel.ok) return r.fail(sel.code, sel.message);
      if (sel.chosen.length === 0) return r.data({ event: 'disconnected', tunnels: [] }, 'No tunnels were up.\n');
      const results = await Promise.all(
        sel.chosen.map(async (t) => ({ t, outcome: await disconnectTunnel(t.socket, deps) })),
      );
      let code: number = EXIT.ok;
      for (const { t, outcome } of results) {
        const label = `${t.status.name}${t.status.interface ? ` (${t.status.interface})` : ''}`;
        // The process may exit before its answer is flushed; gone is what we asked for.
        if (outcome.ok || outcome.kind === 'gone') {
          if (o.json)
            ctx.stdout(
              JSON.stringify({
                event: 'disconnected',
                name: t.status.name,
                pid: t.status.pid,
                interface: t.status.interface,
              }) + '\n',
            );
          else ctx.stdout(`disconnected ${label}\n`);
        } else {
          code = EXIT.failure;
          if (o.json)
            ctx.stdout(JSON.stringify({ event: 'error', name: t.status.name, message: outcome.message }) + '\n');
          else ctx.stderr(`causeway: ${label} did not confirm the disconnect: ${outcome.message}\n`);
        }
      }
      ctx.setExitCode(code);
    });
}
