// The connection service's side of side-by-side.ts: each entry that holds (or is getting) a system
// data plane carries a claim of what it takes, and a new connection is checked against the others'
// claims before its helper starts. Checked and claimed in one synchronous step, so two connects
// clicked together cannot both pass.
import type { Profile } from '../../contract/profile.js';
import type { StartError } from '../../contract/results.js';
import type { Entry } from './profile-entry.js';
import type { DataPlaneProvider } from './ports.js';
import { sideBySideConflict, type TunnelClaim } from './side-by-side.js';

export function claimOf(profile: Profile, dataPlane: DataPlaneProvider): TunnelClaim {
  return {
    name: profile.name,
    routing: profile.routing.mode === 'split' ? { mode: 'split', routes: profile.routing.routes } : { mode: 'full' },
    killSwitch: dataPlane.killSwitchOn?.(profile) ?? false,
  };
}

/**
 * Claims what `profile` takes for `entry`, or says why another entry's claim stands in the way.
 * Without a system data plane there is nothing to share (session-only tunnels), so nothing is claimed.
 */
export function claim(
  entries: ReadonlyMap<string, Entry>,
  entry: Entry,
  profile: Profile,
  dataPlane: DataPlaneProvider | undefined,
): StartError | null {
  if (!dataPlane) return null;
  const next = claimOf(profile, dataPlane);
  const others = [...entries.values()].flatMap((e) => (e !== entry && e.claim ? [e.claim] : []));
  const conflict = sideBySideConflict(next, others);
  if (conflict)
    return { kind: 'side-by-side', conflict: conflict.kind, with: conflict.with, message: conflict.message };
  entry.claim = next;
  return null;
}
