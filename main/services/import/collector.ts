// Where every importer's candidates end: names made safe and unique, the draft validated against the
// profile schema, and the result (or the reason for skipping) recorded with its line.
import { describeIssues, validateDraft, type ProfileDraft } from '../../contract/profile.js';
import { diagnostic, quote, stripUnprintable, type Warnings } from './diagnostics.js';
import { LIMITS, type ImportFormat, type ImportResult, type ImportSecrets, type ImportedProfile } from './types.js';

const MAX_NAME = 100;

/** A profile name from untrusted text: no control or bidi characters, single spaces, at most 100 characters. */
export function cleanName(raw: string): string {
  const collapsed = stripUnprintable(raw).replace(/\s+/g, ' ').trim();
  const chars = Array.from(collapsed);
  return chars.length > MAX_NAME ? chars.slice(0, MAX_NAME).join('').trimEnd() : collapsed;
}

export interface Candidate {
  readonly line: number;
  /** The entry's name as the source spells it; cleaned here. */
  readonly rawName: string;
  /** Used when the source gives no usable name (typically the server host). */
  readonly fallbackName: string;
  readonly draft: Omit<ProfileDraft, 'name'>;
  readonly secrets: ImportSecrets;
}

export class ProfileCollector {
  readonly #warnings: Warnings;
  readonly #profiles: ImportedProfile[] = [];
  readonly #names = new Set<string>();
  #overflow = false;

  constructor(warnings: Warnings) {
    this.#warnings = warnings;
  }

  get full(): boolean {
    return this.#profiles.length >= LIMITS.maxProfiles;
  }

  /** Says once that the file holds more entries than an import takes. */
  overflow(line: number): void {
    if (!this.#overflow)
      this.#warnings.add(line, `more than ${LIMITS.maxProfiles} entries; the rest of the file is ignored`);
    this.#overflow = true;
  }

  add(c: Candidate): void {
    if (this.full) {
      this.overflow(c.line);
      return;
    }
    let name = cleanName(c.rawName);
    if (name === '') name = cleanName(c.fallbackName) || 'Imported SSTP';
    if (c.rawName !== '' && name !== c.rawName)
      this.#warnings.add(c.line, `name ${quote(c.rawName)} imported as ${quote(name)}`);
    name = this.#unique(name, c.line);

    const checked = validateDraft({ ...c.draft, name });
    if (!checked.ok) {
      this.#warnings.add(c.line, `entry ${quote(name)} skipped: ${describeIssues(checked.issues)}`);
      return;
    }
    this.#names.add(name.toLowerCase());
    const secrets: ImportSecrets = {};
    if (c.secrets.password !== undefined && c.secrets.password !== '') secrets.password = c.secrets.password;
    if (c.secrets.proxyPassword !== undefined && c.secrets.proxyPassword !== '')
      secrets.proxyPassword = c.secrets.proxyPassword;
    const draft: ProfileDraft = checked.value;
    this.#profiles.push({ draft, secrets, source: { file: this.#warnings.file, line: c.line } });
  }

  #unique(name: string, line: number): string {
    if (!this.#names.has(name.toLowerCase())) return name;
    for (let n = 2; ; n++) {
      const suffix = ` (${n})`;
      const candidate = `${Array.from(name)
        .slice(0, MAX_NAME - suffix.length)
        .join('')}${suffix}`;
      if (!this.#names.has(candidate.toLowerCase())) {
        this.#warnings.add(
          line,
          `another entry in this file is already named ${quote(name)}; this one is imported as ${quote(candidate)}`,
        );
        return candidate;
      }
    }
  }

  result(format: ImportFormat, whatWasLookedFor: string): ImportResult {
    const warnings = this.#warnings.list();
    if (this.#profiles.length === 0) {
      const message =
        warnings.length > 0
          ? `no ${whatWasLookedFor} could be imported (see the warnings)`
          : `no ${whatWasLookedFor} found`;
      return { ok: false, error: { code: 'no-profiles', warnings, ...diagnostic(this.#warnings.file, 0, message) } };
    }
    return { ok: true, format, profiles: [...this.#profiles], warnings };
  }
}
