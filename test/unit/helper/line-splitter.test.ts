import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../../main/helper/line-splitter.js';

test('lines split across chunks are joined; CRLF and blank lines tolerated', () => {
  const s = new LineSplitter(100);
  assert.deepEqual(s.push(Buffer.from('{"a":')), []);
  assert.deepEqual(s.push(Buffer.from('1}\r\n\n{"b"')), [{ kind: 'line', text: '{"a":1}' }]);
  assert.deepEqual(s.push(Buffer.from(':2}\n')), [{ kind: 'line', text: '{"b":2}' }]);
});

test('an over-long line is reported once and skipped to its newline; the next line is fine', () => {
  const s = new LineSplitter(10);
  const out = [
    ...s.push(Buffer.alloc(8, 0x61)),
    ...s.push(Buffer.alloc(1024 * 1024, 0x62)),
    ...s.push(Buffer.from('bbb\nok\n')),
  ];
  assert.deepEqual(out, [{ kind: 'too-large' }, { kind: 'line', text: 'ok' }]);
});

test('multi-byte characters split across chunks survive', () => {
  const s = new LineSplitter(100);
  const bytes = Buffer.from('"é"\n');
  assert.deepEqual([...s.push(bytes.subarray(0, 2)), ...s.push(bytes.subarray(2))], [{ kind: 'line', text: '"é"' }]);
});
