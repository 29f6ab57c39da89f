import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyDraft, parseProfileFlags } from '../../../main/cli/profiles/flags.js';
import { validateDraft } from '../../../main/contract/profile.js';

describe('profiles add/edit --system-proxy', () => {
  it('sets and removes systemProxy; the schema takes it', () => {
    const on = parseProfileFlags({ server: 'vpn.example', systemProxy: true });
    assert.ok(on.ok);
    const draft = on.value.apply(emptyDraft('w'));
    assert.equal(draft.systemProxy, true);
    assert.ok(validateDraft(draft).ok);
    const off = parseProfileFlags({ systemProxy: false });
    assert.ok(off.ok);
    assert.equal('systemProxy' in off.value.apply(draft), false);
  });

  it('a password in --proxy is refused by the URL parser, saying where it should go', () => {
    const r = parseProfileFlags({ proxy: 'http://u:s3cret@proxy:3128' });
    assert.ok(!r.ok);
    assert.match(r.error, /\/proc\/PID\/cmdline.*--proxy-password-stdin/);
    assert.doesNotMatch(r.error, /s3cret/);
  });
});
