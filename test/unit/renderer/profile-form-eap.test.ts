// The editor's form offers EAP-TLS and PEAP and carries the sign-in (EAP) server's trust both ways;
// what it builds passes main's profile schema (the one validator).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDraft, validateProfile } from '../../../main/contract/profile.js';
import { AUTH_METHODS } from '../../../main/engine/config.js';
import type { Profile, ProfileDraft } from '../../../main/contract/profile.js';

// renderer/ is type-checked by svelte-check (its own tsconfig maps $contract), not by the root
// tsconfig: load the form module by URL and name here the little of its shape this test uses.
type Form = Record<string, unknown> & { authMethods: string[]; eapPinnedSha256: string; eapServerName: string };
interface FormModule {
  AUTH_METHOD_LABELS: Record<string, string>;
  emptyForm(): Form;
  formFrom(p: Profile): Form;
  draftFrom(f: Form): ProfileDraft;
}
const FORM_MODULE = new URL('../../../renderer/src/lib/profile-form.ts', import.meta.url).href;
const { AUTH_METHOD_LABELS, draftFrom, emptyForm, formFrom } = (await import(FORM_MODULE)) as FormModule;

describe('profile form: EAP methods and EAP trust', () => {
  it('lists every auth method the engine knows', () => {
    assert.deepEqual(Object.keys(AUTH_METHOD_LABELS).sort(), [...AUTH_METHODS].sort());
  });

  it('an eap-tls form with the sign-in server fields builds a valid draft and reads back the same', () => {
    const f = {
      ...emptyForm(),
      name: 'Corp',
      host: 'vpn.corp.test',
      username: 'alice',
      authMethods: ['eap-tls'],
      eapPinnedSha256: ' ' + 'AB:'.repeat(31) + 'AB ',
      eapCaFile: '/etc/corp/nps-ca.pem',
      eapServerName: 'nps.corp.test',
    };
    const d = validateDraft(draftFrom(f));
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(d.value.eapTrust, {
      pinnedSha256: 'ab'.repeat(32),
      caFile: '/etc/corp/nps-ca.pem',
      serverName: 'nps.corp.test',
    });
    const p = validateProfile({ version: 1, id: '6f1c1b9e-8f43-4a55-9d1c-0b3e8e1f2a10', ...d.value });
    assert.ok(p.ok);
    const back = formFrom(p.value);
    assert.equal(back.eapPinnedSha256, 'ab'.repeat(32));
    assert.equal(back.eapServerName, 'nps.corp.test');
    assert.deepEqual(back.authMethods, ['eap-tls']);
  });

  it("empty fields leave no eapTrust (the outer trust applies); a bad pin is main's issue on eapTrust.pinnedSha256", () => {
    assert.equal('eapTrust' in (draftFrom({ ...emptyForm(), name: 'A', host: 'h', username: 'u' }) as object), false);
    const bad = validateDraft(
      draftFrom({ ...emptyForm(), name: 'A', host: 'h', username: 'u', eapPinnedSha256: 'xyz' }),
    );
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.issues.map((i) => i.path),
      ['eapTrust.pinnedSha256'],
    );
  });
});
