import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { exportProfiles, importCauseway } from '../../../../main/services/import/causeway-format.js';
import { arrayElementLines, lineOfJsonError } from '../../../../main/services/import/json-lines.js';
import type { ProfileDraft } from '../../../../main/contract/profile.js';
import { expectError, expectOk, fixture } from './helpers.js';

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, null, 2), 'utf8');

describe('Causeway export format', () => {
  it('imports the fixture and re-exports it byte for byte', () => {
    const bytes = fixture('causeway-export.json');
    const r = expectOk(importCauseway('causeway-export.json', bytes));
    assert.equal(r.format, 'causeway');
    assert.deepEqual(
      r.profiles.map((p) => [p.draft.name, p.source.line]),
      [
        ['Office', 5],
        ['Lab (proxy)', 37],
      ],
    );
    assert.deepEqual(r.warnings, []);
    for (const p of r.profiles) assert.deepEqual(p.secrets, {});
    assert.equal(exportProfiles(r.profiles.map((p) => p.draft)), bytes.toString('utf8'));
  });

  it('drops id and version from stored profiles and fills defaults', () => {
    const text = exportProfiles([
      {
        id: '6f1d3c1e-2b4a-4c0e-9a57-2f3c7b1d9e01',
        version: 1,
        name: 'A',
        server: { host: 'a.example' },
        username: 'u',
      } as ProfileDraft,
    ]);
    const doc = JSON.parse(text) as { profiles: Record<string, unknown>[] };
    assert.equal(doc.profiles[0]?.['id'], undefined);
    assert.equal(doc.profiles[0]?.['version'], undefined);
    assert.deepEqual(doc.profiles[0]?.['server'], { host: 'a.example', port: 443 });
    assert.equal(doc.profiles[0]?.['dns'], true);
  });

  it('refuses to export something that is not a valid profile (e.g. a smuggled password field)', () => {
    assert.throws(
      () =>
        exportProfiles([{ name: 'A', server: { host: 'a.example' }, username: 'u', password: 'x' } as ProfileDraft]),
      TypeError,
    );
  });

  it('round-trips any valid draft exactly (property)', () => {
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f\u007f]/g;
    const host = fc.constantFrom('vpn.example.com', '10.0.0.1', '2001:db8::1', 'a-b.example.org');
    const draft = fc.record(
      {
        name: fc.string({ minLength: 1, maxLength: 40 }).map((s) => s.replace(control, 'x').trim() || 'n'),
        server: fc.record({ host, port: fc.integer({ min: 1, max: 65535 }) }),
        username: fc.string({ maxLength: 20 }).map((s) => s.replace(control, '')),
        authMethods: fc.uniqueArray(fc.constantFrom('pap', 'chap', 'mschapv2', 'eap-mschapv2' as const), {
          minLength: 1,
        }),
        routing: fc.oneof(
          fc.constant<ProfileDraft['routing']>({ mode: 'full' }),
          fc
            .subarray(['10.0.0.0/8', '192.168.1.0/24', 'fd00::/8'], { minLength: 1 })
            .map((routes): ProfileDraft['routing'] => ({ mode: 'split', routes })),
        ),
        dns: fc.boolean(),
        ipv6: fc.boolean(),
        mtu: fc.integer({ min: 576, max: 1500 }),
        reconnect: fc.record({ enabled: fc.boolean() }),
        autoConnect: fc.boolean(),
      },
      {
        requiredKeys: [
          'name',
          'server',
          'username',
          'authMethods',
          'routing',
          'dns',
          'ipv6',
          'reconnect',
          'autoConnect',
        ],
      },
    );
    fc.assert(
      fc.property(fc.array(draft, { minLength: 1, maxLength: 5 }), (drafts) => {
        const clean: ProfileDraft[] = drafts;
        const text = exportProfiles(clean);
        const r = expectOk(importCauseway('p.json', Buffer.from(text)));
        assert.equal(r.profiles.length, clean.length);
        assert.equal(exportProfiles(r.profiles.map((p) => p.draft)), text);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a file with a password anywhere, naming the line', () => {
    const text =
      '{\n  "format": "causeway-profiles",\n  "version": 1,\n  "profiles": [\n    { "name": "A", "server": { "host": "a.example" }, "username": "u",\n      "password": "hunter2" }\n  ]\n}\n';
    const e = expectError(importCauseway('leak.json', Buffer.from(text)));
    assert.equal(e.code, 'contains-secret');
    assert.equal(e.line, 6);
    assert.doesNotMatch(e.text, /hunter2/);
    const nested = expectError(
      importCauseway(
        'leak.json',
        json({ format: 'causeway-profiles', version: 1, profiles: [], extra: { deep: [{ proxyPassword: 'x' }] } }),
      ),
    );
    assert.equal(nested.code, 'contains-secret');
  });

  it('refuses other formats, newer versions and broken JSON with the line', () => {
    assert.equal(
      expectError(importCauseway('x.json', json({ format: 'other', version: 1, profiles: [] }))).code,
      'malformed',
    );
    const newer = expectError(
      importCauseway('x.json', json({ format: 'causeway-profiles', version: 2, profiles: [] })),
    );
    assert.equal(newer.code, 'unsupported-version');
    assert.match(newer.message, /newer Causeway/);
    const broken = expectError(
      importCauseway('x.json', Buffer.from('{\n  "format": "causeway-profiles",\n  "version": 1,,\n}')),
    );
    assert.equal(broken.code, 'malformed');
    assert.equal(broken.line, 3);
    assert.equal(expectError(importCauseway('x.json', Buffer.from('[1,2]'))).code, 'malformed');
    assert.equal(
      expectError(importCauseway('x.json', json({ format: 'causeway-profiles', version: 1, profiles: {} }))).code,
      'malformed',
    );
  });

  it('skips invalid profiles with a warning at their line and keeps the valid ones', () => {
    const text = JSON.stringify(
      {
        format: 'causeway-profiles',
        version: 1,
        profiles: [
          { name: 'Good', server: { host: 'g.example' }, username: 'u' },
          { name: 'Bad', server: { host: 'not a host!' }, username: 'u' },
          { name: 'Typo', server: { host: 't.example' }, username: 'u', autoconect: true },
        ],
      },
      null,
      2,
    );
    const r = expectOk(importCauseway('x.json', Buffer.from(text)));
    assert.deepEqual(
      r.profiles.map((p) => p.draft.name),
      ['Good'],
    );
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0]?.text ?? '', /^x\.json:\d+: profile 2 skipped: server\.host: /);
    assert.match(r.warnings[1]?.text ?? '', /profile 3 skipped: \(profile\): unknown field "autoconect"/);
  });

  it('finds element lines and JSON error lines', () => {
    assert.deepEqual(
      arrayElementLines('{"x":[{"a":1}],\n"profiles":[\n{"n":"[,]"},\n  "s",\n 3]}', 'profiles'),
      [3, 4, 5],
    );
    assert.equal(lineOfJsonError('a\nb\nc', 'Unexpected token at position 4'), 3);
    assert.equal(lineOfJsonError('', 'Unexpected token (line 7 column 2)'), 7);
  });
});

describe('Causeway format: JSON syntax errors', () => {
  it('names the line of an unexpected token and never quotes the input', () => {
    const text =
      '{\n  "format": "causeway-profiles",\n  "version": 1,\n  "profiles": [ { "name": hunter2secret } ]\n}\n';
    const r = importCauseway('x.json', Buffer.from(text));
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'malformed');
    assert.equal(r.error.line, 4);
    assert.ok(!JSON.stringify(r.error).includes('hunter2'), JSON.stringify(r.error));
  });
});
