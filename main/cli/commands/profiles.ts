// `causeway profiles list|show|add|edit|remove`: the saved connection profiles.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { addProfileFlags, type ProfileFlagOptions } from '../profiles/flags.js';
import { formatProfile, formatProfileList, type PasswordStatus } from '../profiles/format.js';
import { reply, exitCodeForStoreError } from '../profiles/reply.js';
import { addProfile, editProfile, type SaveResult } from '../profiles/save.js';
import { findProfile, openProfileServices, type OpenProfileServices } from '../profiles/services.js';
import { deleteProfile } from '../../services/profiles/delete-profile.js';

interface JsonOption {
  json?: boolean;
}

export function registerProfilesCommand(
  program: Command,
  ctx: CliContext,
  open: OpenProfileServices = () => openProfileServices(ctx.env),
): void {
  const profiles = program
    .command('profiles')
    .description('list, show, add, edit and remove saved connection profiles (passwords live in the OS keychain)');

  profiles
    .command('list')
    .description('list the saved profiles')
    .option('--json', 'print the profiles as one JSON object')
    .action(async (o: JsonOption) => {
      const r = reply(ctx, o.json);
      const all = await open().store.list();
      if (!all.ok) return r.fail(EXIT.failure, all.error.message);
      r.data({ event: 'profiles', profiles: all.value }, formatProfileList(all.value));
    });

  profiles
    .command('show')
    .description('show one profile, and whether its password is saved')
    .argument('<name>', 'profile name or id')
    .option('--json', 'print the profile as JSON')
    .action(async (name: string, o: JsonOption) => {
      const r = reply(ctx, o.json);
      const services = open();
      const found = await findProfile(services.store, name);
      if (!found.ok) return r.fail(exitCodeForStoreError(found.error), found.error.message);
      const stored = await services.credentials.get(found.value.id, 'password');
      const password: PasswordStatus = !stored.ok
        ? { kind: 'unknown', why: 'the keychain cannot be reached' }
        : stored.value === undefined
          ? { kind: 'not-saved' }
          : { kind: 'saved' };
      r.data(
        {
          event: 'profile',
          profile: found.value,
          passwordSaved: password.kind === 'unknown' ? null : password.kind === 'saved',
        },
        formatProfile(found.value, password),
      );
    });

  addProfileFlags(
    profiles
      .command('add')
      .description('save a new profile')
      .argument('<name>', 'a name of your choice (unique, case-insensitively)'),
    'add',
  )
    .addHelpText(
      'after',
      '\nExample:\n  printf %s "$PASSWORD" | causeway profiles add Office --server vpn.example.com --user alice --password-stdin\n',
    )
    .action(async (name: string, o: ProfileFlagOptions) => {
      const r = reply(ctx, o.json);
      report(r, await addProfile(open(), name, o, ctx.stdin), 'Saved');
    });

  addProfileFlags(
    profiles
      .command('edit')
      .description('change a saved profile (only the flags given change)')
      .argument('<name>', 'profile name or id'),
    'edit',
  )
    .addHelpText(
      'after',
      '\nExamples:\n  causeway profiles edit Office --pin sha256:<64 hex digits>\n  printf %s "$PASSWORD" | causeway profiles edit Office --password-stdin\n',
    )
    .action(async (name: string, o: ProfileFlagOptions) => {
      const r = reply(ctx, o.json);
      const services = open();
      const found = await findProfile(services.store, name);
      if (!found.ok) return r.fail(exitCodeForStoreError(found.error), found.error.message);
      report(r, await editProfile(services, found.value, o, ctx.stdin), 'Updated');
    });

  profiles
    .command('remove')
    .alias('rm')
    .description('delete a profile, its secrets in the keychain, its imported CA certificate and its connection logs')
    .argument('<name>', 'profile name or id')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: JsonOption) => {
      const r = reply(ctx, o.json);
      const services = open();
      const found = await findProfile(services.store, name);
      if (!found.ok) return r.fail(exitCodeForStoreError(found.error), found.error.message);
      const deleted = await deleteProfile(
        { store: services.store, credentials: services.credentials, caDir: services.paths.caDir, logs: services.logs },
        found.value.id,
      );
      if (!deleted.ok) return r.fail(exitCodeForStoreError(deleted.error), deleted.error.message);
      const left = deleted.value.secretsLeft;
      if (left) r.note(`causeway: warning: its secrets are still in the keychain: ${left.message}`);
      r.data(
        {
          event: 'removed',
          profile: { id: found.value.id, name: found.value.name },
          secretsDeleted: left === undefined,
        },
        `Removed profile "${found.value.name}"${left ? '' : ' and its secrets'}.\n`,
      );
    });
}

function report(r: ReturnType<typeof reply>, result: SaveResult, verb: string): void {
  if (!result.ok) return r.fail(result.code, result.message);
  for (const w of result.warnings) r.note(`causeway: warning: ${w}`);
  r.data(
    { event: 'saved', profile: result.profile, warnings: result.warnings },
    `${verb} profile "${result.profile.name}" (id ${result.profile.id}).\n`,
  );
}
