// The editor's DNS search domains both ways, judged by main's profile schema: empty leaves the field
// out, commas/spaces/newlines separate entries, a full tunnel keeps what it holds, and the schema's own
// message comes back for an entry that is not a domain name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDraft, validateProfile } from '../../../main/contract/profile.js';
import type { Profile, ProfileDraft } from '../../../main/contract/profile.js';

// renderer/ is type-checked by svelte-check, not the root tsconfig: load the form module by URL.
type Form = Record<string, unknown> & { searchDomains: string; routingMode: 'full' | 'split'; routes: string };
interface FormModule {
  emptyForm(): Form;
  formFrom(p: Profile): Form;
  draftFrom(f: Form): ProfileDraft;
}
const FORM_MODULE = new URL('../../../renderer/src/lib/profile-form.ts', import.meta.url).href;
const { draftFrom, emptyForm, formFrom } = (await import(FORM_MODULE)) as FormModule;

const ID = '6f1c1b9e-8f43-4a55-9d1c-0b3e8e1f2a11';
const split = (searchDomains: string): Form => ({
  ...emptyForm(),
  name: 'Split',
  host: 'vpn.corp.test',
  username: 'alice',
  routingMode: 'split',
  routes: '10.20.0.0/16',
  searchDomains,
});

function saved(f: Form): Profile {
  const d = validateDraft(draftFrom(f));
  assert.ok(d.ok, JSON.stringify(d));
  const p = validateProfile({ version: 1, id: ID, ...d.value });
  assert.ok(p.ok, JSON.stringify(p));
  return p.value;
}

describe('profile form: DNS search domains', () => {
  it('empty leaves the field out', () => {
    assert.equal('dnsSearchDomains' in (draftFrom(split('  ')) as Record<string, unknown>), false);
    assert.equal(saved(split('')).dnsSearchDomains, undefined);
  });

  it('commas, spaces and newlines separate; the list round-trips through the form', () => {
    const p = saved(split(' corp.test,lab.test\n  dev.corp.test ,'));
    assert.deepEqual(p.dnsSearchDomains, ['corp.test', 'lab.test', 'dev.corp.test']);
    assert.equal(formFrom(p).searchDomains, 'corp.test, lab.test, dev.corp.test');
    assert.deepEqual(saved(formFrom(p)).dnsSearchDomains, p.dnsSearchDomains);
  });

  it('a full tunnel keeps what the profile holds', () => {
    const p = saved({ ...split('corp.test'), routingMode: 'full' });
    assert.deepEqual(p.routing, { mode: 'full' });
    assert.deepEqual(p.dnsSearchDomains, ['corp.test']);
  });

  it("an entry that is not a domain name gets the schema's message at its index", () => {
    const d = validateDraft(draftFrom(split('corp.test bad..name')));
    assert.equal(d.ok, false);
    assert.deepEqual(!d.ok && d.issues, [{ path: 'dnsSearchDomains[1]', message: 'not a domain name' }]);
  });

  it('more than 8 is refused with the limit', () => {
    const many = Array.from({ length: 9 }, (_, i) => `d${i}.test`).join(' ');
    const d = validateDraft(draftFrom(split(many)));
    assert.deepEqual(!d.ok && d.issues, [{ path: 'dnsSearchDomains', message: 'at most 8 search domains' }]);
  });
});
