import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProfileFlags } from '../../../main/cli/profiles/flags.js';
import { validateDraft, type ProfileDraft } from '../../../main/contract/profile.js';

const base: ProfileDraft = { name: 'Office', server: { host: 'vpn.example.com' }, username: 'alice' };

function apply(flags: Parameters<typeof parseProfileFlags>[0], from: ProfileDraft = base): ProfileDraft {
  const r = parseProfileFlags(flags);
  if (!r.ok) throw new Error(r.error);
  return r.value.apply(from);
}

test('--otp and --auth-wait set the profile fields the schema accepts; --no-otp removes otp', () => {
  const d = apply({ otp: 'append', authWait: '90' });
  assert.deepEqual(d.otp, { mode: 'append' });
  assert.equal(d.authWaitSeconds, 90);
  assert.equal(validateDraft(d).ok, true);
  assert.equal('otp' in apply({ otp: false }, d), false);
});

test('bad --otp and --auth-wait values are refused with what is allowed', () => {
  const a = parseProfileFlags({ otp: 'prefix' });
  assert.equal(a.ok, false);
  if (!a.ok) assert.match(a.error, /append.*replace/);
  const b = parseProfileFlags({ authWait: '2' });
  assert.equal(b.ok, false);
  if (!b.ok) assert.match(b.error, /5 to 600/);
  assert.equal(validateDraft({ ...base, authWaitSeconds: 1000 }).ok, false);
});
