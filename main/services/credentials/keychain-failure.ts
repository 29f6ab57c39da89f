// Why the keychain could not be used, read from what the backend said. Each reason has its own advice:
// a locked keyring wants unlocking, a missing Secret Service wants installing or a desktop session.
import type { KeychainFailureReason } from './credential-store.js';

const RULES: readonly { readonly reason: KeychainFailureReason; readonly pattern: RegExp }[] = [
  { reason: 'no-answer', pattern: /no answer from the keychain/i },
  // "no result found": gnome-keyring has no login collection yet (never unlocked in a desktop session).
  { reason: 'locked', pattern: /locked|unlock prompt|prompt was dismissed|no result found/i },
  {
    reason: 'no-session-bus',
    pattern: /DBUS_SESSION_BUS_ADDRESS|autolaunch|failed to connect to socket|no such file or directory/i,
  },
  {
    reason: 'no-secret-service',
    pattern: /org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service|secret service/i,
  },
];

export function classifyKeychainFailure(detail: string): KeychainFailureReason {
  return RULES.find((r) => r.pattern.test(detail))?.reason ?? 'failed';
}
