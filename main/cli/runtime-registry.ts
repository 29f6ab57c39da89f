// Which registry `status` and `disconnect` read: this user's (after sudo, the sudo user's: the CLI has
// become them by then), or /run/causeway for root itself.
import { checkRuntimeDir, runtimeDirFor, type RuntimeDirResult } from '../services/runtime/runtime-dir.js';

export function registryDir(env: NodeJS.ProcessEnv, uid: number = process.getuid?.() ?? 0): RuntimeDirResult {
  const where = runtimeDirFor({ uid, env });
  if (!where.ok) return where;
  const checked = checkRuntimeDir(where.dir, uid);
  // Not there yet: no `connect` has run in this session, so no tunnel is up.
  if (!checked.ok && checked.error.kind === 'io') return where;
  return checked;
}
