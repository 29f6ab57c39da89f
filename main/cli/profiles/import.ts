// `causeway import`: what a file holds, checked against the saved profiles, then saved all or nothing.
// A name that is already taken stops the import (nothing is saved, and the clash is named with its
// line) unless --rename is given, which appends " (2)", " (3)"…: silently saving "Office (2)" next to
// "Office" would leave people guessing which one is which, so that is only done when asked for.
import type { Diagnostic, ImportedProfile, ImportWarning } from '../../services/import/types.js';
import { diagnostic } from '../../services/import/diagnostics.js';
import { deleteProfile } from '../../services/profiles/delete-profile.js';
import { nameKey } from '../../services/profiles/file-format.js';
import type { Profile } from '../../contract/profile.js';
import { EXIT } from '../exit-codes.js';
import type { ProfileServices } from './services.js';

export interface PlannedProfile {
  readonly imported: ImportedProfile;
  /** The name it will be saved under (differs from the draft's only with --rename). */
  readonly name: string;
}

export type ImportPlan =
  { ok: true; planned: PlannedProfile[]; warnings: ImportWarning[] } | { ok: false; clashes: Diagnostic[] };

const MAX_NAME = 100;

/** Pure: decides the names against the profiles already saved. */
export function planImport(
  imported: readonly ImportedProfile[],
  existing: readonly Pick<Profile, 'name'>[],
  rename: boolean,
): ImportPlan {
  const taken = new Set(existing.map((p) => nameKey(p.name)));
  const clashes: Diagnostic[] = [];
  const warnings: ImportWarning[] = [];
  const planned: PlannedProfile[] = [];
  for (const imp of imported) {
    const { file, line } = imp.source;
    let name = imp.draft.name;
    if (taken.has(nameKey(name))) {
      if (!rename) {
        clashes.push(
          diagnostic(
            file,
            line,
            `a profile named "${name}" already exists; remove or rename it, or import with --rename`,
          ),
        );
        continue;
      }
      name = freeName(name, taken);
      warnings.push(
        diagnostic(file, line, `a profile named "${imp.draft.name}" already exists; this one is saved as "${name}"`),
      );
    }
    taken.add(nameKey(name));
    planned.push({ imported: imp, name });
  }
  return clashes.length > 0 ? { ok: false, clashes } : { ok: true, planned, warnings };
}

function freeName(name: string, taken: ReadonlySet<string>): string {
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${Array.from(name)
      .slice(0, MAX_NAME - suffix.length)
      .join('')}${suffix}`;
    if (!taken.has(nameKey(candidate))) return candidate;
  }
}

export type SaveImportResult = { ok: true; saved: Profile[] } | { ok: false; code: number; message: string };

/**
 * Saves every planned profile and its secrets; on the first failure removes what this run saved
 * (profiles and secrets), so the profile set is as it was before. Existing profiles are never touched.
 */
export async function saveImport(
  services: ProfileServices,
  planned: readonly PlannedProfile[],
  opts: { skipSecrets: boolean },
): Promise<SaveImportResult> {
  const saved: Profile[] = [];
  const undo = async (message: string): Promise<SaveImportResult> => {
    for (const p of saved)
      await deleteProfile(
        { store: services.store, credentials: services.credentials, caDir: services.paths.caDir },
        p.id,
      );
    return { ok: false, code: EXIT.failure, message: `${message} Nothing was imported.` };
  };
  for (const { imported, name } of planned) {
    const added = await services.store.add({ ...imported.draft, name });
    if (!added.ok) return undo(`${imported.source.file}:${imported.source.line}: ${added.error.message}`);
    saved.push(added.value);
    if (opts.skipSecrets) continue;
    const secrets = [
      ['password', imported.secrets.password],
      ['proxy-password', imported.secrets.proxyPassword],
    ] as const;
    for (const [kind, value] of secrets) {
      if (value === undefined || value === '') continue;
      const set = await services.credentials.set(added.value.id, kind, value);
      if (!set.ok) return undo(`${set.error.message} To import without the passwords in the file, use --skip-secrets.`);
    }
  }
  return { ok: true, saved };
}
