import type { Handlers } from '../contract/handlers.js';
import type { ProfileSaveError, ProfileSaveResult, StoreProblem } from '../contract/results.js';
import type { ProfileIssue, ProfileView } from '../contract/model.js';
import { deleteProfile } from '../services/profiles/delete-profile.js';
import { validateDraft, type Profile, type ProfileDraft } from '../contract/profile.js';
import type { ProfileStoreError, StoreResult } from '../services/profiles/store.js';
import { importChosenCa, inspectCa, type ChosenCaFile } from './ca-file.js';
import { clientCertificatePathIssues, clientCertificateWarnings } from './client-certificate-check.js';
import type { BackendContext } from './context.js';
import { applySecrets, profileView, type SecretChanges } from './profile-secrets.js';
import { importPrivateKey } from '../services/trust/pem-client.js';

type ProfileHandlers = Pick<
  Handlers,
  | 'profiles.list'
  | 'profiles.validate'
  | 'profiles.create'
  | 'profiles.update'
  | 'profiles.remove'
  | 'profiles.setPassword'
>;

export async function listProfileViews(
  ctx: BackendContext,
): Promise<{ ok: true; profiles: ProfileView[] } | { ok: false; error: StoreProblem }> {
  const all = await ctx.store.list();
  if (!all.ok) return { ok: false, error: { kind: 'store', message: all.error.message } };
  return { ok: true, profiles: await Promise.all(all.value.map((p) => profileView(ctx.credentials, p))) };
}

type SaveRequest = Omit<SecretChanges, 'clientKeyPem'> & {
  readonly ca?: ChosenCaFile | undefined;
  readonly clientKey?:
    { readonly fileName: string; readonly pem: string; readonly passphrase?: string | undefined } | undefined;
};

/** The schema's verdict plus what only the app asks of a draft. */
function check(draft: unknown): { ok: true; value: ProfileDraft } | { ok: false; issues: ProfileIssue[] } {
  const v = validateDraft(draft);
  if (!v.ok) return { ok: false, issues: [...v.issues] };
  const more = clientCertificatePathIssues(v.value);
  return more.length > 0 ? { ok: false, issues: more } : { ok: true, value: v.value as ProfileDraft };
}

export function profileHandlers(ctx: BackendContext): ProfileHandlers {
  // Checks everything that can be checked before writing, so a refused save changes nothing.
  const save = async (
    draft: unknown,
    req: SaveRequest,
    write: (d: ProfileDraft) => Promise<StoreResult<Profile>>,
  ): Promise<ProfileSaveResult> => {
    const v = check(draft);
    if (!v.ok) return invalid(v.issues);
    if (req.ca) {
      const ca = inspectCa(req.ca);
      if (!ca.ok) return invalid([{ path: 'tls.caFile', message: ca.message }]);
      if (!ctx.caDir) return invalid([{ path: 'tls.caFile', message: 'This host has no folder for CA files.' }]);
    }
    // The key is decrypted here, once: the keychain then holds it alone, and a wrong passphrase is
    // said next to the field before anything is written.
    let clientKeyPem: string | undefined;
    if (req.clientKey) {
      const key = importPrivateKey(req.clientKey.pem, req.clientKey.passphrase, req.clientKey.fileName);
      if (!key.ok) return invalid([{ path: 'tls.clientCertificate.key', message: key.error.message }]);
      clientKeyPem = key.keyPem;
    }
    const r = await write(v.value);
    if (!r.ok) return { ok: false, error: saveError(r.error) };
    let profile = r.value;
    const problems = await applySecrets(ctx.credentials, profile.id, {
      ...req,
      ...(clientKeyPem !== undefined ? { clientKeyPem } : {}),
    });
    if (req.ca && ctx.caDir) {
      const imported = await importChosenCa(ctx.store, ctx.caDir, profile.id, req.ca);
      if (!imported.ok) problems.push(`its CA file was not imported: ${imported.message}`);
      else {
        const again = await ctx.store.get(profile.id);
        if (again.ok) profile = again.value;
      }
    }
    ctx.profilesChanged();
    const fieldWarnings = await clientCertificateWarnings(profile, ctx.credentials);
    return {
      ok: true,
      profile,
      ...(problems.length > 0 ? { warning: `The profile was saved, but ${problems.join('; ')}` } : {}),
      ...(fieldWarnings.length > 0 ? { fieldWarnings } : {}),
    };
  };
  return {
    'profiles.list': () => listProfileViews(ctx),
    'profiles.validate': async ({ draft }) => {
      const v = check(draft);
      return v.ok ? { ok: true } : { ok: false, error: { kind: 'invalid', issues: v.issues } };
    },
    'profiles.create': async ({ draft, ...req }) => save(draft, req, (d) => ctx.store.add(d)),
    'profiles.update': async ({ id, draft, ...req }) => save(draft, req, (d) => ctx.store.update(id, () => d)),
    'profiles.remove': async ({ id }) => {
      await ctx.connections.disconnect(id);
      const r = await deleteProfile(
        { store: ctx.store, credentials: ctx.credentials, logs: ctx.logs, ...(ctx.caDir ? { caDir: ctx.caDir } : {}) },
        id,
      );
      if (!r.ok)
        return {
          ok: false,
          error:
            r.error.kind === 'not-found'
              ? { kind: 'not-found', message: r.error.message }
              : { kind: 'store', message: r.error.message },
        };
      ctx.profilesChanged();
      return r.value.secretsLeft
        ? { ok: true, warning: `Its secrets are still in the keychain: ${r.value.secretsLeft.message}` }
        : { ok: true };
    },
    'profiles.setPassword': async ({ id, password }) => {
      const found = await ctx.store.get(id);
      if (!found.ok) return { ok: false, error: { kind: 'not-found', message: found.error.message } };
      const r = await ctx.credentials.set(id, 'password', password);
      if (!r.ok)
        return {
          ok: false,
          error:
            r.error.kind === 'keychain-unavailable'
              ? { kind: 'keychain-unavailable', message: r.error.message }
              : { kind: 'invalid', message: r.error.message },
        };
      ctx.profilesChanged();
      return { ok: true };
    },
  };
}

function invalid(issues: readonly ProfileIssue[]): ProfileSaveResult {
  return { ok: false, error: { kind: 'invalid', issues, message: 'Some fields need attention.' } };
}

export function saveError(e: ProfileStoreError): ProfileSaveError {
  switch (e.kind) {
    case 'invalid':
      return { kind: 'invalid', issues: e.issues, message: e.message };
    case 'name-taken':
      return { kind: 'name-taken', message: e.message };
    case 'not-found':
      return { kind: 'not-found', message: e.message };
    default:
      return { kind: 'store', message: e.message };
  }
}
