// Minting a profile: a validated draft plus a fresh identity. The schema itself is the contract's
// (contract/profile.ts) so the renderer's types and main's checks share one declaration; only this
// step, which draws a random UUID, belongs to main.
import { randomUUID } from 'node:crypto';
import {
  PROFILE_VERSION,
  validateDraft,
  validateProfile,
  type Profile,
  type ProfileDraft,
  type ValidationResult,
} from '../../contract/profile.js';

/** Validates a draft and gives it an identity. */
export function createProfile(draft: ProfileDraft, id: string = randomUUID()): ValidationResult<Profile> {
  const d = validateDraft(draft);
  if (!d.ok) return d;
  return validateProfile({ version: PROFILE_VERSION, id, ...d.value });
}
