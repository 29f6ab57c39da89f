// The editor's kill switch both ways, judged by main's profile schema: '' (as in Preferences) leaves
// the field out, off/on/always are saved, and "allow LAN" only travels with a switch that blocks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDraft, validateProfile } from '../../../main/contract/profile.js';
import type { Profile, ProfileDraft } from '../../../main/contract/profile.js';

// renderer/ is type-checked by svelte-check, not the root tsconfig: load the form module by URL.
type Form = Record<string, unknown> & { killSwitch: string; killSwitchLan: boolean };
interface FormModule {
  emptyForm(): Form;
  formFrom(p: Profile): Form;
  draftFrom(f: Form): ProfileDraft;
}
const FORM_MODULE = new URL('../../../renderer/src/lib/profile-form.ts', import.meta.url).href;
const { draftFrom, emptyForm, formFrom } = (await import(FORM_MODULE)) as FormModule;

const ID = '6f1c1b9e-8f43-4a55-9d1c-0b3e8e1f2a10';
const base = (): Form => ({ ...emptyForm(), name: 'Safe', host: 'vpn.corp.test', username: 'alice' });

function saved(f: Form): Profile {
  const d = validateDraft(draftFrom(f));
  assert.ok(d.ok, JSON.stringify(d));
  const p = validateProfile({ version: 1, id: ID, ...d.value });
  assert.ok(p.ok, JSON.stringify(p));
  return p.value;
}

describe('profile form: kill switch', () => {
  it('a new form follows Preferences: no killSwitch field saved', () => {
    const f = base();
    assert.equal(f.killSwitch, '');
    assert.equal('killSwitch' in (draftFrom(f) as Record<string, unknown>), false);
    assert.equal(saved(f).killSwitch, undefined);
  });

  it('each mode round-trips; LAN only with a blocking mode', () => {
    const cases: [Partial<Form>, Profile['killSwitch']][] = [
      [{ killSwitch: 'off' }, { mode: 'off' }],
      [{ killSwitch: 'off', killSwitchLan: true }, { mode: 'off' }],
      [{ killSwitch: 'on' }, { mode: 'on' }],
      [
        { killSwitch: 'on', killSwitchLan: true },
        { mode: 'on', allowLan: true },
      ],
      [
        { killSwitch: 'always', killSwitchLan: true },
        { mode: 'always', allowLan: true },
      ],
    ];
    for (const [fields, expected] of cases) {
      const p = saved({ ...base(), ...fields });
      assert.deepEqual(p.killSwitch, expected, JSON.stringify(fields));
      const back = formFrom(p);
      assert.equal(back.killSwitch, expected?.mode);
      assert.equal(back.killSwitchLan, expected?.allowLan === true);
    }
  });
});
