// `causeway import FILE`: reads a phonebook, NetworkManager connection, MikroTik export, sstpc command
// lines or a Causeway export; prints what it found (profiles, warnings with file:line), then saves.
import { open as openFile, stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { importFile } from '../../services/import/index.js';
import { importRisks } from '../../services/import/risks.js';
import { IMPORT_FORMATS, LIMITS, type ImportFormat, type ImportWarning } from '../../services/import/types.js';
import { serverText } from '../profiles/format.js';
import { planImport, saveImport, type PlannedProfile } from '../profiles/import.js';
import { reply } from '../profiles/reply.js';
import { openProfileServices, type OpenProfileServices } from '../profiles/services.js';

interface ImportOptions {
  dryRun?: boolean;
  json?: boolean;
  format?: ImportFormat;
  rename?: boolean;
  skipSecrets?: boolean;
  acceptWeakSettings?: boolean;
}

const FORMAT_NAMES: Record<ImportFormat, string> = {
  pbk: 'Windows phonebook',
  nmconnection: 'NetworkManager connection',
  mikrotik: 'MikroTik export',
  sstpc: 'sstpc command lines',
  causeway: 'Causeway export',
};

export function registerImportCommand(
  program: Command,
  ctx: CliContext,
  open: OpenProfileServices = () => openProfileServices(ctx.env),
): void {
  program
    .command('import')
    .description(
      'import SSTP profiles from a .pbk phonebook, a .nmconnection file, a MikroTik export, sstpc command lines or a Causeway export',
    )
    .argument('<file>', 'the file to import')
    .option('--dry-run', 'show what would be imported; save nothing')
    .option('--rename', 'save under "NAME (2)" when a profile NAME already exists (otherwise the import stops)')
    .option('--skip-secrets', 'do not save passwords found in the file in the keychain')
    .option(
      '--accept-weak-settings',
      'save profiles whose settings weaken TLS or authentication (insecure, a pin, a CA, PAP/CHAP, no authentication); they are listed first',
    )
    .addOption(
      new Option('--format <format>', 'the file format, when it cannot be told from the file').choices([
        ...IMPORT_FORMATS,
      ]),
    )
    .option('--json', 'print the result as one JSON object')
    .addHelpText(
      'after',
      '\nPasswords found in the file go to the OS keychain, never into the profile. Either every profile is\nsaved or none is; existing profiles are never changed.\n',
    )
    .action(async (file: string, o: ImportOptions) => {
      const r = reply(ctx, o.json);
      const bytes = await readBounded(file);
      if (!bytes.ok) return r.fail(EXIT.failure, bytes.message);
      const result = importFile(file, bytes.value, o.format);
      if (!result.ok) {
        const e = result.error;
        const warnings = e.code === 'no-profiles' ? e.warnings : [];
        if (r.json)
          ctx.stdout(
            JSON.stringify({ event: 'error', code: e.code, file: e.file, line: e.line, message: e.text, warnings }) +
              '\n',
          );
        else ctx.stderr(`causeway: ${e.text}\n${warnings.map((w) => `  ${w.text}\n`).join('')}`);
        return ctx.setExitCode(EXIT.failure);
      }
      const services = open();
      const existing = await services.store.list();
      if (!existing.ok) return r.fail(EXIT.failure, existing.error.message);
      const plan = planImport(result.profiles, existing.value, o.rename === true);
      if (!plan.ok) {
        if (r.json)
          ctx.stdout(
            JSON.stringify({
              event: 'error',
              code: 'name-taken',
              message: 'some names are already taken; nothing was imported',
              clashes: plan.clashes,
            }) + '\n',
          );
        else
          ctx.stderr(
            `causeway: nothing was imported; these names are already taken:\n${plan.clashes.map((c) => `  ${c.text}\n`).join('')}`,
          );
        return ctx.setExitCode(EXIT.failure);
      }
      const warnings = [...result.warnings, ...plan.warnings];
      const fileName = result.profiles[0]?.source.file ?? file;
      const found = plan.planned.map((p) => entryJson(p, o.skipSecrets === true));
      if (!r.json) ctx.stdout(describeFound(fileName, result.format, plan.planned, warnings, o.skipSecrets === true));
      // A file from someone else must not turn the user's checks off unseen: listed above, saved on request.
      const risky = plan.planned.filter((p) => importRisks(p.imported.draft).length > 0);
      if (!o.dryRun && risky.length > 0 && o.acceptWeakSettings !== true) {
        return r.fail(
          EXIT.usage,
          `nothing was imported: ${risky.map((p) => `"${p.name}"`).join(', ')} weaken${risky.length === 1 ? 's' : ''} security (see above). Import again with --accept-weak-settings if you mean to keep these settings, or fix them in the file.`,
        );
      }
      if (o.dryRun) {
        if (r.json)
          ctx.stdout(
            JSON.stringify({
              event: 'import',
              file: fileName,
              format: result.format,
              dryRun: true,
              profiles: found,
              warnings,
              saved: [],
            }) + '\n',
          );
        else ctx.stdout('Nothing was saved (--dry-run).\n');
        return;
      }
      const saved = await saveImport(services, plan.planned, { skipSecrets: o.skipSecrets === true });
      if (!saved.ok) return r.fail(saved.code, saved.message);
      const savedJson = saved.saved.map((p) => ({ id: p.id, name: p.name }));
      r.data(
        {
          event: 'import',
          file: fileName,
          format: result.format,
          dryRun: false,
          profiles: found,
          warnings,
          saved: savedJson,
        },
        `Saved ${saved.saved.length} profile${saved.saved.length === 1 ? '' : 's'}. Try one with \`causeway test NAME\`.\n`,
      );
    });
}

type Bytes = { ok: true; value: Buffer } | { ok: false; message: string };

// A file far larger than any real export is refused without reading it all into memory.
async function readBounded(path: string): Promise<Bytes> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, message: `${path} is not a file` };
    if (info.size > LIMITS.maxBytes) {
      return {
        ok: false,
        message: `${path}: file is ${info.size} bytes; imports are limited to ${LIMITS.maxBytes} bytes (1 MiB) — is this the right file?`,
      };
    }
    const fh = await openFile(path, 'r');
    try {
      return { ok: true, value: await fh.readFile() };
    } finally {
      await fh.close();
    }
  } catch (e) {
    return { ok: false, message: `cannot read ${path}: ${(e as Error).message}` };
  }
}

function entryJson(p: PlannedProfile, skipSecrets: boolean): Record<string, unknown> {
  const d = p.imported.draft;
  return {
    name: p.name,
    line: p.imported.source.line,
    server: { host: d.server.host, port: d.server.port ?? 443 },
    username: d.username,
    password: secretFate(p.imported.secrets.password, skipSecrets),
    proxyPassword: secretFate(p.imported.secrets.proxyPassword, skipSecrets),
    risks: importRisks(d),
  };
}

function secretFate(secret: string | undefined, skip: boolean): 'keychain' | 'skipped' | 'none' {
  return secret === undefined ? 'none' : skip ? 'skipped' : 'keychain';
}

function describeFound(
  file: string,
  format: ImportFormat,
  planned: readonly PlannedProfile[],
  warnings: readonly ImportWarning[],
  skipSecrets: boolean,
): string {
  const n = planned.length;
  const lines = [`${file}: ${FORMAT_NAMES[format]}, ${n} SSTP profile${n === 1 ? '' : 's'}`];
  for (const p of planned) {
    const d = p.imported.draft;
    const server = serverText({ server: { host: d.server.host, port: d.server.port ?? 443 } });
    const pw =
      p.imported.secrets.password !== undefined
        ? skipSecrets
          ? ', password not saved (--skip-secrets)'
          : ', password → keychain'
        : '';
    lines.push(
      `  line ${String(p.imported.source.line).padEnd(4)} ${p.name} — ${server}, user ${d.username || '(ask when connecting)'}${pw}`,
    );
    for (const risk of importRisks(d)) lines.push(`         weakens security: ${risk.message}`);
  }
  if (warnings.length > 0) lines.push('Warnings:', ...warnings.map((w) => `  ${w.text}`));
  return lines.join('\n') + '\n';
}
