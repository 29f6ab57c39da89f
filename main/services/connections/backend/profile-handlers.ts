import type { Handlers } from '../../../contract/handlers.js';
import type { ProfileSaveError, ProfileSaveResult, StoreProblem } from '../../../contract/results.js';
import type { ProfileView } from '../../../contract/model.js';
import { deleteProfile } from '../../profiles/delete-profile.js';
import { validateDraft, type ProfileDraft } from '../../profiles/schema.js';
import type { ProfileStoreError } from '../../profiles/store.js';
import type { BackendContext } from './context.js';

type ProfileHandlers = Pick<Handlers, 'profiles.list' | 'profiles.validate' | 'profiles.create' | 'profiles.update' | 'profiles.remove' | 'profiles.setPassword'>;

export async function listProfileViews(ctx: BackendContext): Promise<{ ok: true; profiles: ProfileView[] } | { ok: false; error: StoreProblem }> {
  const all = await ctx.store.list();
  if (!all.ok) return { ok: false, error: { kind: 'store', message: all.error.message } };
  const profiles = await Promise.all(
    all.value.map(async (profile): Promise<ProfileView> => {
      const pw = await ctx.credentials.get(profile.id, 'password');
      // Only whether one exists crosses the boundary.
      return { profile, hasPassword: pw.ok ? pw.value !== undefined : null };
    }),
  );
  return { ok: true, profiles };
}

export function profileHandlers(ctx: BackendContext): ProfileHandlers {
  const saved = async (r: Awaited<ReturnType<typeof ctx.store.add>>, password: string | undefined): Promise<ProfileSaveResult> => {
    if (!r.ok) return { ok: false, error: saveError(r.error) };
    ctx.profilesChanged();
    if (password === undefined) return { ok: true, profile: r.value };
    const pw = await ctx.credentials.set(r.value.id, 'password', password);
    ctx.profilesChanged();
    return pw.ok ? { ok: true, profile: r.value } : { ok: true, profile: r.value, warning: `The profile was saved but its password was not: ${pw.error.message}` };
  };
  return {
    'profiles.list': () => listProfileViews(ctx),
    'profiles.validate': async ({ draft }) => {
      const v = validateDraft(draft);
      return v.ok ? { ok: true } : { ok: false, error: { kind: 'invalid', issues: v.issues } };
    },
    'profiles.create': async ({ draft, password }) => {
      const v = validateDraft(draft);
      if (!v.ok) return invalid(v.issues);
      return saved(await ctx.store.add(v.value as ProfileDraft), password);
    },
    'profiles.update': async ({ id, draft, password }) => {
      const v = validateDraft(draft);
      if (!v.ok) return invalid(v.issues);
      return saved(await ctx.store.update(id, () => v.value as ProfileDraft), password);
    },
    'profiles.remove': async ({ id }) => {
      await ctx.connections.disconnect(id);
      const r = await deleteProfile({ store: ctx.store, credentials: ctx.credentials, logs: ctx.logs, ...(ctx.caDir ? { caDir: ctx.caDir } : {}) }, id);
      if (!r.ok) return { ok: false, error: r.error.kind === 'not-found' ? { kind: 'not-found', message: r.error.message } : { kind: 'store', message: r.error.message } };
      ctx.profilesChanged();
      return r.value.secretsLeft ? { ok: true, warning: `Its password is still in the keychain: ${r.value.secretsLeft.message}` } : { ok: true };
    },
    'profiles.setPassword': async ({ id, password }) => {
      const found = await ctx.store.get(id);
      if (!found.ok) return { ok: false, error: { kind: 'not-found', message: found.error.message } };
      const r = await ctx.credentials.set(id, 'password', password);
      if (!r.ok) return { ok: false, error: r.error.kind === 'keychain-unavailable' ? { kind: 'keychain-unavailable', message: r.error.message } : { kind: 'invalid', message: r.error.message } };
      ctx.profilesChanged();
      return { ok: true };
    },
  };
}

function invalid(issues: Extract<ProfileSaveError, { kind: 'invalid' }>['issues']): ProfileSaveResult {
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
