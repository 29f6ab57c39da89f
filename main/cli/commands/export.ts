// `causeway export NAME… | --all`: profiles in Causeway's own format (what `causeway import` reads back).
// The format has no field for a secret, so an export never carries one: passwords stay in the keychain.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { exportProfiles } from '../../services/import/index.js';
import { writeFileAtomic } from '../../services/profiles/atomic-write.js';
import type { Profile } from '../../contract/profile.js';
import { reply } from '../profiles/reply.js';
import { findProfile, openProfileServices, type OpenProfileServices } from '../profiles/services.js';

interface ExportOptions {
  all?: boolean;
  output?: string;
}

export function registerExportCommand(
  program: Command,
  ctx: CliContext,
  open: OpenProfileServices = () => openProfileServices(ctx.env),
): void {
  program
    .command('export')
    .description("write profiles in Causeway's format (no passwords) to standard output or a file")
    .argument('[names...]', 'profile names or ids')
    .option('--all', 'every saved profile')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .addHelpText(
      'after',
      '\nExample:\n  causeway export Office Lab -o profiles.json    # then on another machine: causeway import profiles.json\n',
    )
    .action(async (names: string[], o: ExportOptions) => {
      const r = reply(ctx, false);
      if (o.all && names.length > 0) return r.fail(EXIT.usage, 'give profile names or --all, not both');
      if (!o.all && names.length === 0) return r.fail(EXIT.usage, 'name the profiles to export, or give --all');
      const services = open();
      const chosen: Profile[] = [];
      if (o.all) {
        const all = await services.store.list();
        if (!all.ok) return r.fail(EXIT.failure, all.error.message);
        chosen.push(...all.value);
      } else {
        for (const name of names) {
          const found = await findProfile(services.store, name);
          if (!found.ok) return r.fail(EXIT.failure, found.error.message);
          if (!chosen.some((p) => p.id === found.value.id)) chosen.push(found.value);
        }
      }
      const text = exportProfiles(chosen);
      if (o.output === undefined) return ctx.stdout(text);
      try {
        await writeFileAtomic(o.output, text);
      } catch (e) {
        return r.fail(EXIT.failure, `cannot write ${o.output}: ${(e as Error).message}`);
      }
      r.note(`Exported ${chosen.length} profile${chosen.length === 1 ? '' : 's'} to ${o.output} (without passwords).`);
    });
}
