// Causeway's own export format:
//   { "format": "causeway-profiles", "version": 1, "profiles": [ <ProfileDraft>, … ] }
// Profiles are written as normalised drafts (defaults filled in, no id, no version), so an export
// imports back to exactly the same drafts and re-exports to exactly the same text.
// It never carries a secret: the exporter writes only schema fields (the schema is strict and has no
// secret field), and the importer refuses any file with a password-like key anywhere in it.
import {
  describeIssues,
  ProfileDraftSchema,
  validateDraft,
  type Profile,
  type ProfileDraft,
} from '../../contract/profile.js';
import { decodeText } from './decode.js';
import { diagnostic, displayFileName, importError, printable, quote, Warnings } from './diagnostics.js';
import { arrayElementLines, jsonErrorReason, lineOfJsonError, lineOfOffset } from './json-lines.js';
import { LIMITS, type ImportResult, type ImportedProfile } from './types.js';

export const CAUSEWAY_FORMAT = 'causeway-profiles';
export const CAUSEWAY_FORMAT_VERSION = 1;

/** Keys that would mean a secret is in the file, wherever they appear. */
const SECRET_KEY = /pass(word|phrase)?$|passwd|secret|token|private.?key|credential/i;

/**
 * The export text for these profiles: stable key order, two-space indentation, trailing newline.
 * Throws if a profile does not validate — profiles handed here come from the store, so that is a bug.
 */
export function exportProfiles(profiles: readonly (ProfileDraft | Profile)[]): string {
  const drafts = profiles.map((p, index) => {
    const { id: _id, version: _version, ...draft } = p as Partial<Profile> & ProfileDraft;
    const checked = ProfileDraftSchema.safeParse(draft);
    if (!checked.success)
      throw new TypeError(`profile ${index} is not valid: ${checked.error.issues.map((i) => i.message).join('; ')}`);
    return checked.data;
  });
  return `${JSON.stringify({ format: CAUSEWAY_FORMAT, version: CAUSEWAY_FORMAT_VERSION, profiles: drafts }, null, 2)}\n`;
}

/** The first password-like key in a parsed JSON value, walked without recursion. */
function findSecretKey(root: unknown): string | undefined {
  const stack: unknown[] = [root];
  let visited = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    // JSON.parse of a 1 MiB file cannot produce more nodes than bytes; the bound is belt and braces.
    if (++visited > LIMITS.maxBytes) return undefined;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (SECRET_KEY.test(k)) return k;
        stack.push(child);
      }
    }
  }
  return undefined;
}

function keyLine(text: string, key: string): number {
  const at = text.indexOf(JSON.stringify(key));
  return at < 0 ? 0 : lineOfOffset(text, at);
}

export function importCauseway(fileName: string, bytes: Uint8Array): ImportResult {
  const file = displayFileName(fileName);
  const decoded = decodeText(file, bytes);
  return decoded.ok ? parseCauseway(file, decoded.value.lines) : decoded;
}

/** The same, from decoded lines; `file` is the display name used in messages. */
export function parseCauseway(file: string, lines: readonly string[]): ImportResult {
  const text = lines.join('\n');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    // V8 sometimes quotes the offending input ("…" is not valid JSON): that could be a secret, so it goes.
    const reason = printable(jsonErrorReason(raw).slice(0, 200));
    return {
      ok: false,
      error: importError('malformed', file, lineOfJsonError(text, raw), `not valid JSON: ${reason}`),
    };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return {
      ok: false,
      error: importError('malformed', file, 1, 'expected a JSON object with "format": "causeway-profiles"'),
    };
  }
  const top = doc as Record<string, unknown>;
  if (top['format'] !== CAUSEWAY_FORMAT) {
    return {
      ok: false,
      error: importError('malformed', file, keyLine(text, 'format') || 1, `"format" must be "${CAUSEWAY_FORMAT}"`),
    };
  }
  if (top['version'] !== CAUSEWAY_FORMAT_VERSION) {
    const newer = typeof top['version'] === 'number' && top['version'] > CAUSEWAY_FORMAT_VERSION;
    const message = newer
      ? `made by a newer Causeway (format version ${String(top['version'])}); this one reads version ${CAUSEWAY_FORMAT_VERSION}`
      : `"version" must be ${CAUSEWAY_FORMAT_VERSION}`;
    return { ok: false, error: importError('unsupported-version', file, keyLine(text, 'version'), message) };
  }
  const secretKey = findSecretKey(doc);
  if (secretKey !== undefined) {
    const message = `contains a ${quote(secretKey)} field; Causeway exports never carry secrets, so this file was edited or is not an export — refused`;
    return { ok: false, error: importError('contains-secret', file, keyLine(text, secretKey), message) };
  }
  const list = top['profiles'];
  if (!Array.isArray(list))
    return {
      ok: false,
      error: importError('malformed', file, keyLine(text, 'profiles'), '"profiles" must be an array'),
    };

  const warnings = new Warnings(file);
  for (const k of Object.keys(top)) {
    if (k !== 'format' && k !== 'version' && k !== 'profiles')
      warnings.add(keyLine(text, k), `unknown top-level field ${quote(k)}; ignored`);
  }
  const elementLines = arrayElementLines(text, 'profiles');
  const profiles: ImportedProfile[] = [];
  for (let i = 0; i < list.length; i++) {
    const line = elementLines[i] ?? 0;
    if (profiles.length >= LIMITS.maxProfiles) {
      warnings.add(line, `more than ${LIMITS.maxProfiles} profiles; the rest of the file is ignored`);
      break;
    }
    const checked = validateDraft(list[i]);
    if (!checked.ok) {
      warnings.add(line, `profile ${i + 1} skipped: ${describeIssues(checked.issues)}`);
      continue;
    }
    profiles.push({ draft: checked.value, secrets: {}, source: { file, line } });
  }
  if (profiles.length === 0) {
    const all = warnings.list();
    const message =
      list.length === 0 ? 'the export holds no profiles' : 'no profile could be imported (see the warnings)';
    return { ok: false, error: { code: 'no-profiles', warnings: all, ...diagnostic(file, 0, message) } };
  }
  return { ok: true, format: 'causeway', profiles, warnings: warnings.list() };
}
