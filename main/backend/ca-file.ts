// CA files chosen in the editor. The renderer reads the file and sends its PEM text (it has no paths to
// offer from a sandbox); main checks it, then hands it to the trust service's importCaFile, which keeps
// a normalized copy in Causeway's CA folder and points the profile at it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaCertificateView } from '../contract/model.js';
import type { ProfileStore } from '../services/profiles/store.js';
import { importCaFile } from '../services/trust/ca-import.js';
import { describeCertificate, parseCertificates } from '../services/trust/certificate.js';

export interface ChosenCaFile {
  readonly fileName: string;
  readonly pem: string;
}

export type CaInspection =
  | { readonly ok: true; readonly certificates: readonly CaCertificateView[]; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** What the file holds, for the editor to show before anything is saved. */
export function inspectCa(file: ChosenCaFile, now: number = Date.now()): CaInspection {
  const parsed = parseCertificates(file.pem);
  if (!parsed.ok) return { ok: false, message: `${file.fileName}: ${parsed.error.message}` };
  const certificates = parsed.certificates.map((c) => {
    const d = describeCertificate(c);
    return { subject: d.subject, issuer: d.issuer, validTo: d.validTo, sha256: d.sha256, isCa: d.isCa };
  });
  const warnings: string[] = [];
  for (const c of certificates) {
    if (!c.isCa)
      warnings.push(`${c.subject} is not a CA certificate; it will only match a server presenting exactly it.`);
    if (Date.parse(c.validTo) < now) warnings.push(`${c.subject} expired on ${c.validTo}.`);
  }
  return { ok: true, certificates, warnings };
}

/**
 * Imports through a private temporary file because importCaFile reads a path (the CLI's case). The
 * temporary path is replaced by the file's own name in messages: it means nothing to the person.
 */
export async function importChosenCa(
  store: ProfileStore,
  caDir: string,
  profileId: string,
  file: ChosenCaFile,
): Promise<{ ok: true; file: string } | { ok: false; message: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-ca-'));
  const source = join(dir, 'ca.pem');
  try {
    await writeFile(source, file.pem, { mode: 0o600 });
    const r = await importCaFile(store, caDir, profileId, source);
    if (r.ok) return { ok: true, file: r.value.file };
    return { ok: false, message: r.error.message.split(source).join(file.fileName) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
