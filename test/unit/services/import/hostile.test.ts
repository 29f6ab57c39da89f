// Hostile input: every importer must answer with a result — never throw, never hang, never let a name
// or a file name carry control characters into output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { importCauseway } from '../../../../main/services/import/causeway-format.js';
import { importFile } from '../../../../main/services/import/index.js';
import { importMikrotik } from '../../../../main/services/import/mikrotik.js';
import { importNmConnection } from '../../../../main/services/import/nmconnection.js';
import { importPbk } from '../../../../main/services/import/pbk.js';
import { importSstpc } from '../../../../main/services/import/sstpc.js';
import { LIMITS, type ImportResult } from '../../../../main/services/import/types.js';
import { validateDraft } from '../../../../main/contract/profile.js';
import { assertWellFormedWarnings, expectError, expectOk } from './helpers.js';

type Importer = (fileName: string, bytes: Uint8Array) => ImportResult;
const IMPORTERS: [string, Importer][] = [
  ['pbk', importPbk],
  ['nmconnection', importNmConnection],
  ['mikrotik', importMikrotik],
  ['sstpc', importSstpc],
  ['causeway', importCauseway],
  ['importFile', (f, b) => importFile(f, b)],
];

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Whatever came back is well-formed: profiles validate, names are printable, messages are safe. */
function assertSane(r: ImportResult): void {
  if (!r.ok) {
    assert.ok(!CONTROL.test(r.error.text), r.error.text);
    return;
  }
  assert.ok(r.profiles.length <= LIMITS.maxProfiles);
  assert.ok(r.warnings.length <= LIMITS.maxWarnings + 1);
  for (const p of r.profiles) {
    assert.ok(validateDraft(p.draft).ok);
    assert.ok(!CONTROL.test(p.draft.name), JSON.stringify(p.draft.name));
    assert.ok(Array.from(p.draft.name).length <= 100);
  }
  for (const w of r.warnings) assert.ok(!CONTROL.test(w.text), w.text);
}

function timed<T>(f: () => T, ms: number): T {
  const start = performance.now();
  const out = f();
  const took = performance.now() - start;
  assert.ok(took < ms, `took ${Math.round(took)} ms (limit ${ms} ms)`);
  return out;
}

describe('hostile input', () => {
  for (const [label, importer] of IMPORTERS) {
    it(`${label}: refuses a 10 MB file at once, with a clear error`, () => {
      const big = Buffer.alloc(10 * 1024 * 1024, 0x41);
      const e = expectError(timed(() => importer('huge.pbk', big), 200));
      assert.equal(e.code, 'too-large');
      assert.match(e.text, /^huge\.pbk: file is 10485760 bytes; imports are limited to 1048576 bytes/);
    });

    it(`${label}: refuses binary garbage and NUL bytes`, () => {
      const garbage = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 2654435761) >>> 24));
      assert.equal(expectError(importer('garbage.bin', garbage)).code, 'not-text');
      assert.equal(expectError(importer('nul.txt', Buffer.from('[a]\nType=2\0\n'))).code, 'not-text');
    });

    it(`${label}: never throws on arbitrary bytes or text (property)`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => assertSane(importer('fuzz', bytes))),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 2048 }), (s) =>
          assertSane(importer('fuzz', Buffer.from(s, 'utf8'))),
        ),
        { numRuns: 300 },
      );
    });

    it(`${label}: stays fast on a megabyte of pathological text`, () => {
      const cases = [
        '\\'.repeat(LIMITS.maxBytes - 10) + 'x', // continuation runs
        '"'.repeat(LIMITS.maxBytes - 10), // unclosed quotes
        '['.repeat(LIMITS.maxBytes - 10), // brackets / JSON nesting
        `sstpc --proxy http://${'a:'.repeat(400_000)} h\n`, // user:pass splitting
        `${'x'.repeat(LIMITS.maxBytes - 100)}=1\n`, // one enormous key
      ];
      for (const text of cases) assertSane(timed(() => importer('p.txt', Buffer.from(text)), 3000));
    });
  }

  it('cleans injected names: control characters, escapes, bidi overrides, 10k characters', () => {
    const names = [
      'Office\u001b[31mRED\u001b[0m',
      'Evil\u202Egnp.exe',
      `Long${'x'.repeat(10_000)}`,
      '../../etc/passwd',
      '  spaced   out  ',
    ];
    const text = names.map((n) => `[${n}]\r\nType=2\r\nVpnStrategy=5\r\nPhoneNumber=vpn.example.com\r\n`).join('\r\n');
    const r = expectOk(importPbk('inj.pbk', Buffer.from(text, 'utf8')));
    assertSane(r);
    assert.deepEqual(
      r.profiles.map((p) => p.draft.name),
      [
        'Office[31mRED[0m',
        'Evilgnp.exe',
        `Long${'x'.repeat(96)}`,
        '../../etc/passwd', // inert: a profile name is data, never a path (profiles are stored by UUID)
        'spaced out',
      ],
    );
    assert.ok(r.warnings.filter((w) => /imported as/.test(w.message)).length === 4);
    assertWellFormedWarnings(r, 'inj.pbk');
  });

  it('keeps hostile file names out of messages', () => {
    const e = expectError(importFile('../../tmp/evil\u001b]0;pwned\u0007\nname.pbk', Buffer.from('[x]\r\nType=1\r\n')));
    assert.ok(!CONTROL.test(e.text), e.text);
    assert.ok(!e.text.includes('../'), e.text);
  });

  it('reports missing sections instead of guessing', () => {
    assert.equal(
      expectError(importPbk('keys-only.pbk', Buffer.from('PhoneNumber=vpn.example.com\r\nVpnStrategy=5\r\n'))).code,
      'no-profiles',
    );
    assert.equal(
      expectError(importNmConnection('v.nmconnection', Buffer.from('gateway=vpn.example.com\n'))).code,
      'malformed',
    );
    assert.equal(
      expectError(importCauseway('c.json', Buffer.from('{"format":"causeway-profiles","version":1}'))).code,
      'malformed',
    );
  });

  it('takes at most the profile limit from a file and says so once', () => {
    const text = Array.from(
      { length: LIMITS.maxProfiles + 50 },
      (_, i) =>
        `/interface sstp-client add name=c${i} connect-to=h${i}.example add-default-route=yes verify-server-certificate=yes`,
    ).join('\n');
    const r = expectOk(timed(() => importMikrotik('many.rsc', Buffer.from(text)), 3000));
    assert.equal(r.profiles.length, LIMITS.maxProfiles);
    assert.equal(r.warnings.filter((w) => /more than 500 entries/.test(w.message)).length, 1);
  });

  it('bounds the warning list and counts what it left out', () => {
    const text = `[connection]\nid=W\n[vpn]\ngateway=vpn.example.com\nservice-type=org.freedesktop.NetworkManager.sstp\n${Array.from({ length: 300 }, (_, i) => `x-unknown-${i}=1`).join('\n')}\n`;
    const r = expectOk(importNmConnection('w.nmconnection', Buffer.from(text)));
    assert.equal(r.warnings.length, LIMITS.maxWarnings + 1);
    assert.match(r.warnings.at(-1)?.text ?? '', /^w\.nmconnection: 200 more warnings not shown$/);
  });

  it('survives deeply nested JSON', () => {
    const deep = `{"format":"causeway-profiles","version":1,"profiles":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
    const r = timed(() => importCauseway('deep.json', Buffer.from(deep)), 3000);
    assertSane(r);
    assert.equal(r.ok, false);
  });
});
