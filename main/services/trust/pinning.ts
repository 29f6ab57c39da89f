// Trust on first use: the user looked at a certificate and said "trust it"; from then on exactly that
// leaf is accepted for this profile and any other is a loud pin-mismatch.
import type { ProfileStore, StoreResult } from '../profiles/store.js';
import type { Profile } from '../../contract/profile.js';
import { sha256Hex } from './certificate.js';

/** Pins the leaf (DER) for the profile, replacing any earlier pin: only call on an explicit user decision. */
export function pinCertificate(
  store: ProfileStore,
  profileId: string,
  leafDer: Uint8Array,
): Promise<StoreResult<Profile>> {
  const pinnedSha256 = sha256Hex(leafDer);
  return store.update(profileId, (p) => ({ ...p, tls: { ...p.tls, pinnedSha256 } }));
}

export function unpinCertificate(store: ProfileStore, profileId: string): Promise<StoreResult<Profile>> {
  return store.update(profileId, (p) => {
    const { pinnedSha256: _dropped, ...tls } = p.tls;
    return { ...p, tls };
  });
}
