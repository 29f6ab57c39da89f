// The services the profile verbs stand on, opened from the environment the CLI runs in (XDG paths on
// Linux). Commands receive a factory rather than building these themselves, so unit tests can hand in
// temporary directories and an in-memory keychain.
import { existsSync } from 'node:fs';
import type { CredentialStore } from '../../services/credentials/credential-store.js';
import { KeyringCredentialStore } from '../../services/credentials/keyring-store.js';
import { ConnectionLogs } from '../../services/logs/connection-logs.js';
import { resolvePaths, type ServicePaths } from '../../services/paths.js';
import type { Profile } from '../../contract/profile.js';
import { ProfileStore, type StoreResult } from '../../services/profiles/store.js';
import { invokerOfThisProcess, userEnvironment, type Invoker } from '../sudo/invoker.js';
import { UserKeychainStore } from '../sudo/user-keychain.js';
import { UserOwnedLogs } from '../sudo/user-logs.js';

export interface ProfileServices {
  readonly paths: ServicePaths;
  readonly store: ProfileStore;
  readonly credentials: CredentialStore;
  readonly logs: ConnectionLogs;
}

export type OpenProfileServices = () => ProfileServices;

export function openProfileServices(
  env: NodeJS.ProcessEnv,
  overrides: { credentials?: CredentialStore; invoker?: Invoker } = {},
): ProfileServices {
  const invoker = overrides.invoker ?? currentInvoker(env);
  if (invoker.kind === 'sudo') {
    // Root acting for the sudo user (only `connect` stays root; the other commands became the user).
    const user = invoker.user;
    const userEnv = userEnvironment(env, user, existsSync);
    const paths = resolvePaths({ home: user.home, env: userEnv });
    return {
      paths,
      store: new ProfileStore(paths.configDir),
      credentials: overrides.credentials ?? new UserKeychainStore({ user, env: userEnv }),
      logs: new UserOwnedLogs(paths.logsDir, user),
    };
  }
  const paths = resolvePaths({ env });
  return {
    paths,
    store: new ProfileStore(paths.configDir),
    credentials: overrides.credentials ?? new KeyringCredentialStore(),
    logs: new ConnectionLogs(paths.logsDir),
  };
}

/** Who this process acts for; the CLI entry already refused an inconsistent sudo environment. */
export function currentInvoker(env: NodeJS.ProcessEnv): Invoker {
  const r = invokerOfThisProcess(env);
  return r.ok ? r.invoker : { kind: 'self' };
}

/** A profile by name (exact, then case-insensitive) or by id: people type names, scripts may keep ids. */
export async function findProfile(store: ProfileStore, ref: string): Promise<StoreResult<Profile>> {
  const byName = await store.getByName(ref);
  if (byName.ok || byName.error.kind !== 'not-found') return byName;
  const byId = await store.get(ref);
  if (byId.ok || byId.error.kind !== 'not-found') return byId;
  return {
    ok: false,
    error: { kind: 'not-found', ref, message: `No profile named "${ref}" (see \`causeway profiles list\`).` },
  };
}
