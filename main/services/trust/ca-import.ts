// Importing a CA file for a profile: parse it (refuse anything that is not certificates), keep a
// normalized PEM copy under Causeway's own config dir (so moving or deleting the original later does not
// break the profile), and point the profile at the copy.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../profiles/atomic-write.js';
import type { ProfileStore, ProfileStoreError } from '../profiles/store.js';
import type { Profile } from '../../contract/profile.js';
import { describeCertificate, parseCertificates, type CertificateDetails } from './certificate.js';

export type CaImportError =
  | { kind: 'unreadable'; path: string; message: string }
  | { kind: 'not-a-certificate'; path: string; message: string }
  | { kind: 'store'; error: ProfileStoreError; message: string };

export interface CaImported {
  readonly profile: Profile;
  readonly file: string;
  readonly certificates: readonly CertificateDetails[];
  /** Things a person may want to know (e.g. "not a CA certificate: will only match this exact server"). */
  readonly warnings: readonly string[];
}

export async function importCaFile(
  store: ProfileStore,
  caDir: string,
  profileId: string,
  source: string,
  now: number = Date.now(),
): Promise<{ ok: true; value: CaImported } | { ok: false; error: CaImportError }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(source);
  } catch (e) {
    return {
      ok: false,
      error: { kind: 'unreadable', path: source, message: `Cannot read ${source}: ${(e as Error).message}` },
    };
  }
  const parsed = parseCertificates(bytes);
  if (!parsed.ok)
    return {
      ok: false,
      error: { kind: 'not-a-certificate', path: source, message: `${source}: ${parsed.error.message}` },
    };

  const certificates = parsed.certificates.map((c) => describeCertificate(c));
  const warnings: string[] = [];
  for (const c of certificates) {
    if (!c.isCa)
      warnings.push(`${c.subject} is not a CA certificate; it will only match a server presenting exactly it.`);
    if (Date.parse(c.validTo) < now) warnings.push(`${c.subject} expired on ${c.validTo}.`);
  }
  const file = join(caDir, `${profileId}.pem`);
  const existing = await store.get(profileId);
  if (!existing.ok)
    return { ok: false, error: { kind: 'store', error: existing.error, message: existing.error.message } };
  await writeFileAtomic(file, parsed.certificates.map((c) => c.toString()).join(''), { mode: 0o644 });
  const updated = await store.update(profileId, (p) => ({ ...p, tls: { ...p.tls, caFile: file } }));
  if (!updated.ok) return { ok: false, error: { kind: 'store', error: updated.error, message: updated.error.message } };
  return { ok: true, value: { profile: updated.value, file, certificates, warnings } };
}
