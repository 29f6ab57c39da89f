// --dns-search / --no-dns-search on `profiles add|edit`: what commander hands over, what lands in the
// draft (the schema then takes it), the errors for bad domains, and how `profiles show` prints the list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyDraft, parseProfileFlags, type ProfileFlagOptions } from '../../../main/cli/profiles/flags.js';
import { dnsSearchConflict } from '../../../main/cli/profiles/dns-search.js';
import { applyFlags, commanderOptions } from './profile-flags-support.js';
import { formatProfile } from '../../../main/cli/profiles/format.js';
import { validateDraft, validateProfile, type ProfileDraft } from '../../../main/contract/profile.js';

const base: ProfileDraft = { ...emptyDraft('Corp'), server: { host: 'vpn.example.test' }, username: 'alice' };
const withTwo: ProfileDraft = { ...base, dnsSearchDomains: ['corp.test', 'lab.corp.test'] };

const apply = (o: ProfileFlagOptions, from: ProfileDraft = base): ProfileDraft => applyFlags(o, from);

describe('profiles add/edit --dns-search', () => {
  const good: [string, string[] | false, ProfileDraft, string[] | undefined][] = [
    ['one domain', ['corp.test'], base, ['corp.test']],
    ['comma-separated, spaces trimmed', ['corp.test, lab.corp.test'], base, ['corp.test', 'lab.corp.test']],
    ['repeated flag adds up', ['corp.test', 'a.test,b.test'], base, ['corp.test', 'a.test', 'b.test']],
    ['a fully qualified name (trailing dot)', ['corp.test.'], base, ['corp.test.']],
    ['replaces the list on edit', ['other.test'], withTwo, ['other.test']],
    ['--no-dns-search clears it on edit', false, withTwo, undefined],
    ['--no-dns-search on a profile without any', false, base, undefined],
    ['as many as the schema allows', Array.from({ length: 8 }, (_, i) => `d${i}.test`), base, undefined],
  ];
  for (const [what, given, from, want] of good)
    it(`takes ${what}`, () => {
      const d = apply({ dnsSearch: given }, from);
      if (want === undefined && given !== false) assert.equal(d.dnsSearchDomains?.length, given.length);
      else if (want === undefined) assert.equal('dnsSearchDomains' in d, false, 'the key goes, not set to undefined');
      else assert.deepEqual(d.dnsSearchDomains, want);
      assert.ok(validateDraft(d).ok);
    });

  const badCases: [string, string[], RegExp][] = [
    ['an empty label', ['corp..test'], /^--dns-search: 'corp\.\.test' is not a domain name$/],
    ['a leading hyphen, second of a list', ['ok.test,-bad.test'], /^--dns-search: '-bad\.test' is not a domain name$/],
    ['a space inside', ['corp test'], /^--dns-search: 'corp test' is not a domain name$/],
    [
      'a name too long (cut in the message)',
      [`${'a'.repeat(63)}.`.repeat(4) + 'x'],
      /^--dns-search: 'a{57}\.\.\.' is not/,
    ],
    [
      'more than the schema allows',
      [Array.from({ length: 9 }, (_, i) => `d${i}.test`).join(',')],
      /^--dns-search: at most 8 search domains \(got 9\)$/,
    ],
    ['nothing but commas', [','], /^--dns-search needs at least one domain.*--no-dns-search/],
  ];
  for (const [what, given, error] of badCases)
    it(`refuses ${what}, naming the flag`, () => {
      const r = parseProfileFlags({ dnsSearch: given });
      assert.ok(!r.ok);
      assert.match(r.error, error);
    });

  it('not given: the list is left as it was', () => {
    assert.deepEqual(apply({ user: 'bob', split: ['10.0.0.0/8'] }, withTwo).dnsSearchDomains, withTwo.dnsSearchDomains);
    assert.equal('dnsSearchDomains' in apply({ server: 'vpn.example.test' }), false);
  });

  it('commander: repeatable, --no-dns-search gives false, absent gives nothing', () => {
    assert.deepEqual(
      commanderOptions('add', ['--server', 'h', '--dns-search', 'a.test,b.test', '--dns-search', 'c.test']).dnsSearch,
      ['a.test,b.test', 'c.test'],
    );
    assert.equal(commanderOptions('edit', ['--no-dns-search']).dnsSearch, false);
    assert.equal(commanderOptions('edit', ['--user', 'bob']).dnsSearch, undefined);
  });

  it('profiles show lists the domains, or says none', () => {
    const show = (d: ProfileDraft) => {
      const p = validateProfile({ version: 1, id: '6f1c1b9e-8f43-4a55-9d1c-0b3e8e1f2a10', ...d });
      assert.ok(p.ok);
      return formatProfile(p.value, { kind: 'not-saved' });
    };
    assert.match(
      show(apply({ dnsSearch: ['corp.test,lab.corp.test'] })),
      /\n {2}DNS search +corp\.test, lab\.corp\.test\n/,
    );
    assert.match(show(base), /\n {2}DNS search +none\n/);
  });
});

// Search domains only go to the tunnel's DNS servers: with those off they would be saved and never used.
describe('profiles add/edit --dns-search with --no-dns', () => {
  const together = /^--dns-search cannot be used with --no-dns: .*which --no-dns turns off; drop one of the two$/;
  const flagCases: [string, 'add' | 'edit', string[], RegExp | undefined][] = [
    ['add: both flags', 'add', ['--server', 'h', '--dns-search', 'corp.test', '--no-dns'], together],
    ['edit: both flags, either order', 'edit', ['--no-dns', '--dns-search', 'corp.test'], together],
    ['edit: --no-dns with --no-dns-search', 'edit', ['--no-dns', '--no-dns-search'], undefined],
    ['add: --dns-search with --dns', 'add', ['--server', 'h', '--dns-search', 'corp.test', '--dns'], undefined],
    ['add: --no-dns alone', 'add', ['--server', 'h', '--no-dns'], undefined],
  ];
  for (const [what, mode, args, error] of flagCases)
    it(`${what}: ${error ? 'refused, naming both flags' : 'taken'}`, () => {
      const r = parseProfileFlags(commanderOptions(mode, args));
      if (error === undefined) assert.ok(r.ok, r.ok ? '' : r.error);
      else {
        assert.ok(!r.ok);
        assert.match(r.error, error);
      }
    });

  const dnsOff: ProfileDraft = { ...base, dns: false };
  const storedCases: [string, ProfileDraft, ProfileFlagOptions, RegExp | undefined][] = [
    [
      '--no-dns on a profile with search domains',
      withTwo,
      { dns: false },
      /^--no-dns would leave this profile's DNS search domains \(corp\.test, lab\.corp\.test\) unused: add --no-dns-search/,
    ],
    [
      "--dns-search on a profile without the server's DNS",
      dnsOff,
      { dnsSearch: ['corp.test'] },
      /^--dns-search needs the server's DNS servers, which this profile does not use: add --dns/,
    ],
    ['--dns-search with --dns on that profile', dnsOff, { dnsSearch: ['corp.test'], dns: true }, undefined],
    ['--no-dns with --no-dns-search', withTwo, { dns: false, dnsSearch: false }, undefined],
    ['a change elsewhere to a profile already like that', { ...withTwo, dns: false }, { user: 'bob' }, undefined],
  ];
  for (const [what, from, o, error] of storedCases)
    it(`edit: ${what}: ${error ? 'refused, saying what to add' : 'taken'}`, () => {
      const got = dnsSearchConflict(o, applyFlags(o, from));
      if (error === undefined) assert.equal(got, undefined);
      else assert.match(got ?? '', error);
    });
});
