import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeText } from '../../../../main/services/import/decode.js';
import { LIMITS } from '../../../../main/services/import/types.js';

function decode(bytes: Uint8Array): { encoding: string; lines: readonly string[] } {
  const r = decodeText('f.txt', bytes);
  if (!r.ok) assert.fail(r.error.text);
  return r.value;
}

describe('decodeText', () => {
  it('reads UTF-8 without a BOM, CRLF, LF and CR line ends', () => {
    const v = decode(Buffer.from('a=ü\r\nb=2\nc=3\rd=4', 'utf8'));
    assert.equal(v.encoding, 'utf-8');
    assert.deepEqual(v.lines, ['a=ü', 'b=2', 'c=3', 'd=4']);
  });

  it('strips a UTF-8 BOM', () => {
    const v = decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[x]\n', 'utf8')]));
    assert.equal(v.encoding, 'utf-8-bom');
    assert.equal(v.lines[0], '[x]');
  });

  it('reads UTF-16LE and UTF-16BE with a BOM', () => {
    const le = decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[Büro]\r\nType=2\r\n', 'utf16le')]));
    assert.equal(le.encoding, 'utf-16le');
    assert.deepEqual(le.lines.slice(0, 2), ['[Büro]', 'Type=2']);
    const beBody = Buffer.from('[Büro]\n', 'utf16le').swap16();
    const be = decode(Buffer.concat([Buffer.from([0xfe, 0xff]), beBody]));
    assert.equal(be.encoding, 'utf-16be');
    assert.equal(be.lines[0], '[Büro]');
  });

  it('recognises UTF-16LE without a BOM', () => {
    const v = decode(Buffer.from('[Office]\r\nPhoneNumber=vpn.example.com\r\n', 'utf16le'));
    assert.equal(v.encoding, 'utf-16le');
    assert.equal(v.lines[1], 'PhoneNumber=vpn.example.com');
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8, including the 0x80–0x9F punctuation', () => {
    const v = decode(Buffer.from([0x5b, 0x42, 0xfc, 0x72, 0x6f, 0x20, 0x80, 0x20, 0x96, 0x5d]));
    assert.equal(v.encoding, 'windows-1252');
    assert.equal(v.lines[0], '[Büro € –]');
  });

  it('refuses a file over the size limit before looking at it, with size and limit', () => {
    const r = decodeText('big.pbk', new Uint8Array(LIMITS.maxBytes + 1));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 'too-large');
    if (r.error.code !== 'too-large') return;
    assert.equal(r.error.size, LIMITS.maxBytes + 1);
    assert.equal(r.error.limit, LIMITS.maxBytes);
    assert.match(r.error.text, /^big\.pbk: file is \d+ bytes/);
  });

  it('refuses NUL bytes and binary garbage as not-text', () => {
    for (const bytes of [
      Buffer.from('a=1\0b=2'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
    ]) {
      const r = decodeText('x.bin', bytes);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, 'not-text');
    }
  });

  it('accepts an empty file as no lines of text', () => {
    assert.deepEqual(decode(new Uint8Array(0)).lines, ['']);
  });
});
