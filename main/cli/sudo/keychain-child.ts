// Run as the sudo user (spawned by user-keychain.ts as `causeway __keychain-child`, so it works from
// dist/ and from the one-file bundle alike): one keychain operation read from stdin as JSON, its
// CredentialResult written to stdout. It reads only the invoking user's own keychain, like secret-tool. It exists because root cannot use that user's keychain itself:
// gnome-keyring does not answer root on the user's bus, and with only the effective uid switched
// libdbus ignores DBUS_SESSION_BUS_ADDRESS (setuid safety). A process that *is* the user works.
import { z } from 'zod';
import type { Readable } from 'node:stream';
import type { CredentialResult, SecretKind } from '../../services/credentials/credential-store.js';
import { KeyringCredentialStore } from '../../services/credentials/keyring-store.js';

const requestSchema = z.object({
  op: z.enum(['get', 'set', 'delete']),
  profileId: z.string(),
  kind: z.enum([
    'password',
    'proxy-password',
    'pkcs12-passphrase',
    'client-key',
  ] as const satisfies readonly SecretKind[]),
  secret: z.string().optional(),
});

/** The hidden first argument that makes `causeway` this child. */
export const KEYCHAIN_CHILD_ARG = '__keychain-child';

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

export async function runKeychainChild(input: Readable, write: (text: string) => void): Promise<void> {
  write(JSON.stringify(await run(input)) + '\n');
}

async function run(input: Readable): Promise<CredentialResult<unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(await readAll(input));
  } catch {
    return { ok: false, error: { kind: 'invalid', message: 'the keychain request is not JSON' } };
  }
  const req = requestSchema.safeParse(json);
  if (!req.success) return { ok: false, error: { kind: 'invalid', message: 'malformed keychain request' } };
  const store = new KeyringCredentialStore();
  const { op, profileId, kind, secret } = req.data;
  switch (op) {
    case 'get':
      return store.get(profileId, kind);
    case 'delete':
      return store.delete(profileId, kind);
    case 'set':
      return store.set(profileId, kind, secret ?? '');
  }
}
