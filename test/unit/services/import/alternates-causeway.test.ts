// A server list survives Causeway's own format both ways, and profile files from before the list
// (one server, no alternateServers key) still load unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ALTERNATE_SERVERS, validateDraft, validateProfile } from '../../../../main/contract/profile.js';
import { exportProfiles, importCauseway } from '../../../../main/services/import/causeway-format.js';
import { expectOk } from './helpers.js';

const base = { name: 'Pool', server: { host: 'vpn1.example.com', port: 443 }, username: 'alice' };

describe('alternate servers in the profile and the Causeway format', () => {
  it('exports and imports the list in order, IPv6 literals included', () => {
    const draft = { ...base, alternateServers: [{ host: '2001:db8::2', port: 8443 }, { host: 'vpn3.example.com' }] };
    const text = exportProfiles([validateDraftOk(draft)]);
    const r = expectOk(importCauseway('pool.json', Buffer.from(text)));
    assert.deepEqual(r.profiles[0]?.draft.alternateServers, [
      { host: '2001:db8::2', port: 8443 },
      { host: 'vpn3.example.com', port: 443 },
    ]);
  });

  it('a profile file from before (no alternateServers) loads as one server', () => {
    const r = validateProfile({ version: 1, id: '6f0b0c4e-8f4a-4c1e-9a57-0c0f3f5b2d11', ...base });
    assert.ok(r.ok);
    assert.equal(r.value.alternateServers, undefined);
  });

  it('refuses a bad alternate or too many, naming the field', () => {
    const bad = validateDraft({ ...base, alternateServers: [{ host: 'not a host!' }] });
    assert.ok(!bad.ok);
    assert.equal(bad.issues[0]?.path, 'alternateServers[0].host');
    const many = validateDraft({
      ...base,
      alternateServers: Array.from({ length: MAX_ALTERNATE_SERVERS + 1 }, (_, i) => ({ host: `v${i}.example.com` })),
    });
    assert.ok(!many.ok);
    assert.match(many.issues[0]?.message ?? '', /at most 8 alternate servers/);
  });
});

function validateDraftOk(d: unknown) {
  const r = validateDraft(d);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues));
  return r.value;
}
