// The editor's form carries the one-time code mode, the authentication wait and the MSS clamp both
// ways; what it builds is judged by main's profile schema (the one validator), so a bad wait is
// reported on authWaitSeconds, and "off" leaves each field out (absent = off / the default).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDraft, validateProfile } from '../../../main/contract/profile.js';
import type { Profile, ProfileDraft } from '../../../main/contract/profile.js';
import { authTimeout } from '../../../main/engine/ppp/auth/failures.js';

// renderer/ is type-checked by svelte-check, not the root tsconfig: load the form module by URL and
// name here the little of its shape this test uses.
type Form = Record<string, unknown> & { otpMode: string; authWait: string; mssClamp: boolean };
interface FormModule {
  AUTH_WAIT_LABEL: string;
  emptyForm(): Form;
  formFrom(p: Profile): Form;
  draftFrom(f: Form): ProfileDraft;
}
const FORM_MODULE = new URL('../../../renderer/src/lib/profile-form.ts', import.meta.url).href;
const { AUTH_WAIT_LABEL, draftFrom, emptyForm, formFrom } = (await import(FORM_MODULE)) as FormModule;

const ID = '6f1c1b9e-8f43-4a55-9d1c-0b3e8e1f2a10';
const base = (): Form => ({ ...emptyForm(), name: 'MFA', host: 'vpn.corp.test', username: 'alice' });

function saved(f: Form): Profile {
  const d = validateDraft(draftFrom(f));
  assert.ok(d.ok, JSON.stringify(d));
  const p = validateProfile({ version: 1, id: ID, ...d.value });
  assert.ok(p.ok, JSON.stringify(p));
  return p.value;
}

describe('profile form: one-time code, authentication wait, MSS clamp', () => {
  it('a new form has them off / empty, and its draft carries none of them', () => {
    const f = base();
    assert.equal(f.otpMode, 'off');
    assert.equal(f.authWait, '');
    assert.equal(f.mssClamp, false);
    const d = draftFrom(f) as Record<string, unknown>;
    for (const k of ['otp', 'authWaitSeconds', 'mssClamp']) assert.equal(k in d, false, k);
    assert.ok(validateDraft(d).ok);
  });

  for (const mode of ['append', 'replace'] as const) {
    it(`otp ${mode}, a 180 s wait and the clamp save and read back the same`, () => {
      const p = saved({ ...base(), otpMode: mode, authWait: ' 180 ', mssClamp: true });
      assert.deepEqual(p.otp, { mode });
      assert.equal(p.authWaitSeconds, 180);
      assert.equal(p.mssClamp, true);
      const back = formFrom(p);
      assert.equal(back.otpMode, mode);
      assert.equal(back.authWait, '180');
      assert.equal(back.mssClamp, true);
    });
  }

  it("the auth-timeout message names the wait's field label exactly", () => {
    assert.equal(AUTH_WAIT_LABEL, 'Authentication wait');
    assert.ok(authTimeout('MS-CHAPv2', 60_000).message.includes(`the profile's "${AUTH_WAIT_LABEL}"`));
  });

  it('turning them off again removes them from the saved profile', () => {
    const on = formFrom(saved({ ...base(), otpMode: 'append', authWait: '90', mssClamp: true }));
    const off = saved({ ...on, otpMode: 'off', authWait: '', mssClamp: false });
    assert.equal(off.otp, undefined);
    assert.equal(off.authWaitSeconds, undefined);
    assert.equal(off.mssClamp, undefined);
  });

  it('the wait\'s bounds are main\'s: 5 and 600 pass, 4, 601, 1.5 and "soon" are issues on authWaitSeconds', () => {
    for (const ok of ['5', '600']) assert.ok(validateDraft(draftFrom({ ...base(), authWait: ok })).ok, ok);
    const expected: Record<string, string> = {
      '4': 'must be between 5 and 600 seconds',
      '601': 'must be between 5 and 600 seconds',
      '1.5': 'must be a number',
      soon: 'must be a number',
    };
    for (const [text, message] of Object.entries(expected)) {
      const r = validateDraft(draftFrom({ ...base(), authWait: text }));
      assert.ok(!r.ok, text);
      assert.deepEqual(r.issues, [{ path: 'authWaitSeconds', message }], text);
    }
  });
});
