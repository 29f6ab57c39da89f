// Sources describe authentication as sets (flags, refuse-* lists); a profile lists methods by preference.
import type { AuthMethod } from '../../engine/config.js';

/** Strongest first: what Causeway offers first when a source allows several. */
export const PREFERENCE: readonly AuthMethod[] = ['mschapv2', 'eap-mschapv2', 'chap', 'pap'];

export function byPreference(methods: Iterable<AuthMethod>): AuthMethod[] {
  const set = new Set(methods);
  return PREFERENCE.filter((m) => set.has(m));
}
