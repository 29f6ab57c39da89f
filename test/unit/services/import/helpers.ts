// Shared by the importer tests: fixture loading and the checks every importer must pass.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportResult, ImportedProfile } from '../../../../main/services/import/types.js';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, '../../../fixtures/import');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** Narrows to the success branch, failing the test with the error's text otherwise. */
export function expectOk(r: ImportResult): Extract<ImportResult, { ok: true }> {
  if (!r.ok) assert.fail(`expected success, got ${r.error.code}: ${r.error.text}`);
  return r;
}

export function expectError(r: ImportResult): Extract<ImportResult, { ok: false }>['error'] {
  if (r.ok) assert.fail(`expected an error, got ${r.profiles.length} profiles`);
  return r.error;
}

export function byName(r: Extract<ImportResult, { ok: true }>, name: string): ImportedProfile {
  const p = r.profiles.find((x) => x.draft.name === name);
  if (!p)
    assert.fail(
      `no profile named ${JSON.stringify(name)}; have ${r.profiles.map((x) => JSON.stringify(x.draft.name)).join(', ')}`,
    );
  return p;
}

/** Secrets live in `secrets` only: never anywhere in the draft, whatever the field, nor in a warning. */
export function assertSecretsOutsideDrafts(r: Extract<ImportResult, { ok: true }>): void {
  const warningText = r.warnings.map((w) => w.text).join('\n');
  for (const p of r.profiles) {
    for (const secret of Object.values(p.secrets)) {
      if (secret) assert.ok(!warningText.includes(secret), `secret of ${p.draft.name} found in a warning`);
    }
    const draftText = JSON.stringify(p.draft);
    for (const secret of Object.values(p.secrets)) {
      if (secret) assert.ok(!draftText.includes(secret), `secret found in the draft of ${p.draft.name}`);
    }
    assert.ok(
      !/"(password|proxyPassword|passphrase|secret)"/i.test(draftText),
      `a secret-named field in the draft of ${p.draft.name}`,
    );
  }
}

/** Every warning names the file and a line, and carries no raw control characters. */
export function assertWellFormedWarnings(r: ImportResult, file: string): void {
  const list = r.ok ? r.warnings : r.error.code === 'no-profiles' ? r.error.warnings : [];
  for (const w of list) {
    assert.equal(w.file, file);
    assert.ok(w.text.startsWith(`${file}:`), w.text);
    assert.ok(
      // eslint-disable-next-line no-control-regex
      !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/.test(w.text),
      `control character in ${JSON.stringify(w.text)}`,
    );
  }
}
