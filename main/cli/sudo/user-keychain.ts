// The sudo user's keychain, for a CLI that stays root (`sudo causeway connect`): every operation runs in
// a short child process that is that user (real and effective uid, their groups, their session bus).
// Secrets travel over the child's stdin/stdout pipes only, never argv, environment or files.
import { spawn } from 'node:child_process';
import { z } from 'zod';
import {
  deleteAllKinds,
  keychainUnavailable,
  type CredentialResult,
  type CredentialStore,
  type SecretKind,
} from '../../services/credentials/credential-store.js';
import type { PasswdEntry } from './invoker.js';
import { KEYCHAIN_CHILD_ARG } from './keychain-child.js';

export interface UserKeychainOptions {
  readonly user: PasswdEntry;
  /** The user's environment (userEnvironment): HOME, DBUS_SESSION_BUS_ADDRESS, … */
  readonly env: NodeJS.ProcessEnv;
  /** Bounds a child that hangs (an unlock prompt nobody answers). */
  readonly timeoutMs?: number;
  /** The script that starts the CLI (bin/causeway.js, or the packaged bundle): the child is the CLI. */
  readonly entry?: string;
}

const errorSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('keychain-unavailable'),
    reason: z.enum(['locked', 'no-secret-service', 'no-session-bus', 'no-answer', 'failed']),
    message: z.string(),
    detail: z.string(),
  }),
  z.object({ kind: z.literal('invalid'), message: z.string() }),
]);
const answerSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorSchema }),
]);

export class UserKeychainStore implements CredentialStore {
  constructor(private readonly opts: UserKeychainOptions) {}

  async set(profileId: string, kind: SecretKind, secret: string): Promise<CredentialResult<void>> {
    const r = await this.call({ op: 'set', profileId, kind, secret });
    return r.ok ? { ok: true, value: undefined } : r;
  }

  async get(profileId: string, kind: SecretKind): Promise<CredentialResult<string | undefined>> {
    const r = await this.call({ op: 'get', profileId, kind });
    if (!r.ok) return r;
    return typeof r.value === 'string' ? { ok: true, value: r.value } : { ok: true, value: undefined };
  }

  async delete(profileId: string, kind: SecretKind): Promise<CredentialResult<boolean>> {
    const r = await this.call({ op: 'delete', profileId, kind });
    return r.ok ? { ok: true, value: r.value === true } : r;
  }

  deleteAll(profileId: string): Promise<CredentialResult<void>> {
    return deleteAllKinds(this, profileId);
  }

  private call(request: {
    op: 'get' | 'set' | 'delete';
    profileId: string;
    kind: SecretKind;
    secret?: string;
  }): Promise<CredentialResult<unknown>> {
    const { user, env } = this.opts;
    const unavailable = (detail: string): CredentialResult<unknown> => ({
      ok: false,
      error: keychainUnavailable('failed', `as ${user.name}: ${detail}`),
    });
    return new Promise((resolve) => {
      const entry = this.opts.entry ?? process.argv[1];
      if (entry === undefined) return resolve(unavailable('cannot tell which script started Causeway'));
      // execArgv carries tsx's loader when run from source; it is empty for the built CLI.
      const child = spawn(process.execPath, [...process.execArgv, entry, KEYCHAIN_CHILD_ARG], {
        uid: user.uid,
        gid: user.gid,
        env: childEnv(env),
        cwd: user.home,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs ?? 20_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d.slice(0, 2000)));
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve(unavailable(`could not start the keychain process: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        let json: unknown;
        try {
          json = JSON.parse(out);
        } catch {
          const why =
            signal === 'SIGKILL'
              ? 'no answer in time'
              : `exit ${code ?? signal}; ${scrub(err, request.secret).trim().split('\n').slice(-1)[0] ?? ''}`;
          resolve(unavailable(`the keychain process failed (${why})`));
          return;
        }
        const a = answerSchema.safeParse(json);
        resolve(a.success ? a.data : unavailable('the keychain process answered something unexpected'));
      });
      child.stdin.on('error', () => {});
      child.stdin.end(JSON.stringify(request));
    });
  }
}

/** Only what the keychain needs: the child must not inherit root's variables. */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS'];
  const out: NodeJS.ProcessEnv = {};
  for (const k of keep) if (env[k] !== undefined) out[k] = env[k];
  return out;
}

function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
