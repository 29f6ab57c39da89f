// The on-disk document `profiles.json` = { version, profiles[] }, and the chain of migrations that brings
// an older document up to the current version. Pure: bytes in, document or typed problem out.
import { z } from 'zod';
import { ProfileV1Schema, formatPath, type Profile } from '../../contract/profile.js';

export const FILE_VERSION = 1;

export interface ProfilesDocument {
  readonly version: typeof FILE_VERSION;
  readonly profiles: readonly Profile[];
}

/** Turns a document of version `from` into one of version `from + 1`. Receives untrusted JSON. */
export interface Migration {
  readonly from: number;
  migrate(doc: Record<string, unknown>): Record<string, unknown>;
}

/** Real migrations, oldest first. There has only ever been version 1. */
export const MIGRATIONS: readonly Migration[] = [];

const DocumentSchema = z.strictObject({
  version: z.literal(FILE_VERSION),
  profiles: z.array(ProfileV1Schema),
});

export type DocumentDecodeResult =
  | { ok: true; document: ProfilesDocument; migratedFrom?: number }
  | { ok: false; kind: 'corrupt'; problems: readonly string[] }
  | { ok: false; kind: 'unsupported-version'; version: number };

export function nameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('en-US');
}

export function decodeDocument(text: string, migrations: readonly Migration[] = MIGRATIONS): DocumentDecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, kind: 'corrupt', problems: [`not valid JSON (${(e as Error).message})`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, kind: 'corrupt', problems: ['not a JSON object'] };
  }
  let doc = raw as Record<string, unknown>;
  const startVersion = doc['version'];
  if (typeof startVersion !== 'number' || !Number.isInteger(startVersion) || startVersion < 0) {
    return { ok: false, kind: 'corrupt', problems: ['version: missing or not a whole number'] };
  }
  // A newer app wrote this; it is not corrupt, and it is not ours to rewrite.
  if (startVersion > FILE_VERSION) return { ok: false, kind: 'unsupported-version', version: startVersion };

  for (let v = startVersion; v < FILE_VERSION; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step) return { ok: false, kind: 'unsupported-version', version: startVersion };
    try {
      doc = step.migrate(doc);
    } catch (e) {
      return { ok: false, kind: 'corrupt', problems: [`migration from version ${v} failed: ${(e as Error).message}`] };
    }
  }

  const parsed = DocumentSchema.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      kind: 'corrupt',
      problems: parsed.error.issues.map((i) => `${describePath(doc, i.path)}: ${issueMessage(i)}`),
    };
  }
  const problems = duplicates(parsed.data.profiles);
  if (problems.length > 0) return { ok: false, kind: 'corrupt', problems };
  return startVersion === FILE_VERSION
    ? { ok: true, document: parsed.data }
    : { ok: true, document: parsed.data, migratedFrom: startVersion };
}

export function encodeDocument(profiles: readonly Profile[]): string {
  const doc: ProfilesDocument = { version: FILE_VERSION, profiles };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function duplicates(profiles: readonly Profile[]): string[] {
  const out: string[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const p of profiles) {
    if (ids.has(p.id)) out.push(`profiles: id ${p.id} appears twice`);
    if (names.has(nameKey(p.name))) out.push(`profiles: name "${p.name}" appears twice`);
    ids.add(p.id);
    names.add(nameKey(p.name));
  }
  return out;
}

function issueMessage(i: z.core.$ZodIssue): string {
  return i.code === 'unrecognized_keys' ? `unknown field ${i.keys.map((k) => `"${k}"`).join(', ')}` : i.message;
}

// "profiles[1] (Home).server.port" is easier to find in a hand-edited file than "profiles[1].server.port".
function describePath(doc: Record<string, unknown>, path: readonly PropertyKey[]): string {
  const base = formatPath(path);
  if (path[0] !== 'profiles' || typeof path[1] !== 'number') return base;
  const list = doc['profiles'];
  const entry = Array.isArray(list) ? (list[path[1]] as unknown) : undefined;
  const name = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['name'] : undefined;
  if (typeof name !== 'string' || name.length > 100) return base;
  const head = `profiles[${path[1]}]`;
  return `${head} (${JSON.stringify(name)})${base.slice(head.length)}`;
}
