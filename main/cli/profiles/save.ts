// `profiles add` and `profiles edit`: flags → a validated profile, its CA copy and its secret.
// Everything that can be checked is checked before anything is written; what must be written in more
// than one place (file, CA copy, keychain) is undone for `add` when a later step fails, so a failed add
// leaves nothing behind.
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { SecretKind } from '../../services/credentials/credential-store.js';
import { deleteProfile } from '../../services/profiles/delete-profile.js';
import type { Profile, ProfileDraft } from '../../contract/profile.js';
import { importCaFile } from '../../services/trust/ca-import.js';
import { parseCertificates } from '../../services/trust/certificate.js';
import { EXIT } from '../exit-codes.js';
import { dnsSearchConflict } from './dns-search.js';
import { emptyDraft, parseProfileFlags, type ProfileEdits, type ProfileFlagOptions } from './flags.js';
import { weakAuthWarnings } from '../options.js';
import type { ProfileServices } from './services.js';
import { exitCodeForStoreError } from './reply.js';
import { readSecretInput } from '../read-secret.js';

export type SaveResult =
  { ok: true; profile: Profile; warnings: string[] } | { ok: false; code: number; message: string };

interface Prepared {
  readonly edits: ProfileEdits;
  readonly secret?: { readonly kind: SecretKind; readonly value: string };
}

async function prepare(
  o: ProfileFlagOptions,
  stdin: Readable,
): Promise<{ ok: true; value: Prepared } | { ok: false; code: number; message: string }> {
  const parsed = parseProfileFlags(o);
  if (!parsed.ok) return usage(parsed.error);
  const edits = parsed.value;
  if (edits.caFile !== undefined) {
    let bytes: Buffer;
    try {
      bytes = await readFile(edits.caFile);
    } catch (e) {
      return usage(`cannot read the CA file ${edits.caFile}: ${(e as Error).message}`);
    }
    const certs = parseCertificates(bytes);
    if (!certs.ok) return usage(`${edits.caFile}: ${certs.error.message}`);
  }
  if (edits.stdinSecret === undefined) return { ok: true, value: { edits } };
  const read = await readSecretInput(
    stdin,
    edits.stdinSecret === 'password' ? 'Password to save: ' : 'Proxy password to save: ',
  );
  if (!read.ok) return usage(read.message);
  const value = read.value;
  if (value === '') return usage(`--${edits.stdinSecret}-stdin was given but standard input was empty`);
  return { ok: true, value: { edits, secret: { kind: edits.stdinSecret, value } } };
}

function checkDraft(draft: ProfileDraft, p: Prepared, o: ProfileFlagOptions): string | undefined {
  if (p.secret?.kind === 'proxy-password' && draft.proxy?.username === undefined) {
    return '--proxy-password-stdin needs a proxy with a user name: --proxy http://USER@host:port';
  }
  // The flags alone were checked in parseProfileFlags; here they meet what the profile already has.
  return dnsSearchConflict(o, draft);
}

export async function addProfile(
  services: ProfileServices,
  name: string,
  o: ProfileFlagOptions,
  stdin: Readable,
): Promise<SaveResult> {
  const prepared = await prepare(o, stdin);
  if (!prepared.ok) return prepared;
  const p = prepared.value;
  const draft = p.edits.apply(emptyDraft(name));
  const problem = checkDraft(draft, p, o);
  if (problem) return usage(problem);
  const added = await services.store.add(draft);
  if (!added.ok) return { ok: false, code: exitCodeForStoreError(added.error), message: added.error.message };
  let profile = added.value;
  const undo = async (code: number, message: string): Promise<SaveResult> => {
    await deleteProfile(
      { store: services.store, credentials: services.credentials, caDir: services.paths.caDir },
      profile.id,
    );
    return { ok: false, code, message: `${message} Nothing was saved.` };
  };
  const warnings: string[] = [];
  if (p.edits.caFile !== undefined) {
    const ca = await importCaFile(services.store, services.paths.caDir, profile.id, p.edits.caFile);
    if (!ca.ok) return undo(EXIT.failure, ca.error.message);
    profile = ca.value.profile;
    warnings.push(...ca.value.warnings);
  }
  if (p.secret) {
    const set = await services.credentials.set(profile.id, p.secret.kind, p.secret.value);
    if (!set.ok) return undo(EXIT.failure, set.error.message);
  }
  warnings.push(...weakAuthWarnings(profile.authMethods, profile.allowNoAuthentication === true));
  return { ok: true, profile, warnings };
}

export async function editProfile(
  services: ProfileServices,
  current: Profile,
  o: ProfileFlagOptions,
  stdin: Readable,
): Promise<SaveResult> {
  const given = Object.keys(o).filter((k) => k !== 'json');
  if (given.length === 0)
    return usage('nothing to change: give the flags to set (see `causeway profiles edit --help`)');
  const prepared = await prepare(o, stdin);
  if (!prepared.ok) return prepared;
  const p = prepared.value;
  const problem = checkDraft(p.edits.apply(current), p, o);
  if (problem) return usage(problem);
  // The secret first: if the keychain is out of reach, the profile is left exactly as it was.
  if (p.secret) {
    const set = await services.credentials.set(current.id, p.secret.kind, p.secret.value);
    if (!set.ok) return { ok: false, code: EXIT.failure, message: `${set.error.message} The profile was not changed.` };
  }
  const updated = await services.store.update(current.id, (x) => p.edits.apply(x));
  if (!updated.ok) return { ok: false, code: exitCodeForStoreError(updated.error), message: updated.error.message };
  let profile = updated.value;
  const warnings: string[] = [];
  if (p.edits.caFile !== undefined) {
    const ca = await importCaFile(services.store, services.paths.caDir, profile.id, p.edits.caFile);
    if (!ca.ok) return { ok: false, code: EXIT.failure, message: `${ca.error.message} The other changes were saved.` };
    profile = ca.value.profile;
    warnings.push(...ca.value.warnings);
  }
  if (p.edits.dropProxyPassword && current.proxy?.username !== undefined) {
    const dropped = await services.credentials.delete(profile.id, 'proxy-password');
    if (!dropped.ok)
      warnings.push(
        `The old proxy password (if one was saved) could not be deleted from the keychain: ${dropped.error.message}`,
      );
  }
  // Said at each save that keeps them, not only when they were added: the profile keeps weakening.
  warnings.push(...weakAuthWarnings(profile.authMethods, profile.allowNoAuthentication === true));
  return { ok: true, profile, warnings };
}

function usage(message: string): { ok: false; code: number; message: string } {
  return { ok: false, code: EXIT.usage, message };
}
