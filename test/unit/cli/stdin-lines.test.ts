import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { LineReader } from '../../../main/cli/stdin-lines.js';

test('LineReader hands out one line per call, across chunks, and undefined at the end', async () => {
  const input = new PassThrough();
  const r = new LineReader(input);
  input.write('pass');
  const first = r.next();
  input.write('word\n1111');
  assert.equal(await first, 'password');
  input.write('11\r\n222222\n');
  assert.equal(await r.next(), '111111');
  assert.equal(await r.next(), '222222');
  input.end('last');
  assert.equal(await r.next(), 'last');
  assert.equal(await r.next(), undefined);
});

test('LineReader leaves the stream paused between reads (so it cannot keep a process alive)', async () => {
  const input = new PassThrough();
  const r = new LineReader(input);
  assert.equal(input.isPaused(), true);
  input.write('a\n');
  assert.equal(await r.next(), 'a');
  assert.equal(input.isPaused(), true);
});
