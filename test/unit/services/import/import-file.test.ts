import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFormat, importFile, type ImportFormat } from '../../../../main/services/import/index.js';
import { expectError, expectOk, fixture } from './helpers.js';

const FIXTURES: [string, ImportFormat, number][] = [
  ['rasphone-utf16le.pbk', 'pbk', 3],
  ['rasphone-ansi.pbk', 'pbk', 2],
  ['softether-test.nmconnection', 'nmconnection', 1],
  ['corp-bom-crlf.nmconnection', 'nmconnection', 1],
  ['mikrotik-export.rsc', 'mikrotik', 3],
  ['mikrotik-oneliners.rsc', 'mikrotik', 2],
  ['sstpc-commands.sh', 'sstpc', 4],
  ['causeway-export.json', 'causeway', 2],
];

describe('detectFormat and importFile', () => {
  for (const [name, format, count] of FIXTURES) {
    it(`recognises ${name} as ${format} by name and by content alone`, () => {
      const bytes = fixture(name);
      assert.deepEqual(detectFormat(name, bytes), { ok: true, format });
      assert.deepEqual(detectFormat('renamed.txt', bytes), { ok: true, format });
      const r = expectOk(importFile(name, bytes));
      assert.equal(r.format, format);
      assert.equal(r.profiles.length, count);
    });
  }

  it('imports a NetworkManager keyfile that has no extension (as in system-connections/)', () => {
    const r = expectOk(
      importFile('/etc/NetworkManager/system-connections/softether-test', fixture('softether-test.nmconnection')),
    );
    assert.equal(r.profiles[0]?.source.file, 'softether-test');
  });

  it('falls back to the extension, and honours an explicit format', () => {
    assert.deepEqual(detectFormat('empty.pbk', Buffer.from('')), { ok: true, format: 'pbk' });
    const forced = importFile('notes.txt', Buffer.from('sstpc --user u vpn.example.com defaultroute\n'), 'sstpc');
    assert.equal(expectOk(forced).profiles.length, 1);
  });

  it('says what it supports when it cannot tell', () => {
    const e = expectError(importFile('notes.txt', Buffer.from('hello world\n')));
    assert.equal(e.code, 'unknown-format');
    assert.match(e.text, /^notes\.txt: cannot tell what this file is; Causeway imports Windows phonebooks/);
  });

  it('passes decoding errors through', () => {
    assert.equal(expectError(importFile('x.pbk', Buffer.from([0, 1, 2, 3, 0, 0, 0, 9]))).code, 'not-text');
  });
});
