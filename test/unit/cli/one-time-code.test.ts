import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CodeSource, otpMode, withCode } from '../../../main/cli/one-time-code.js';
import type { SessionConfig } from '../../../main/engine/config.js';

const config = { credentials: { username: 'alice', password: 'static' } } as unknown as SessionConfig;

test('otpMode: the flag, else the profile, else append when only --otp-stdin is given; bad modes refused', () => {
  assert.deepEqual(otpMode({ otp: 'replace' }, undefined), { ok: true, value: 'replace' });
  assert.deepEqual(otpMode({}, { otp: { mode: 'replace' } } as never), { ok: true, value: 'replace' });
  assert.deepEqual(otpMode({ otpStdin: true }, undefined), { ok: true, value: 'append' });
  assert.deepEqual(otpMode({}, undefined), { ok: true, value: undefined });
  const bad = otpMode({ otp: 'prefix' }, undefined);
  assert.equal(bad.ok, false);
});

test('withCode: append sends password+code, replace the code alone; the static password stays untouched', () => {
  assert.equal(withCode(config, 'static', '123456', 'append').credentials.password, 'static123456');
  assert.equal(withCode(config, 'static', '123456', 'replace').credentials.password, '123456');
  assert.equal(config.credentials.password, 'static');
});

test('CodeSource: announces each read, refuses a code used before and anything that is not a code, ends with the input', async () => {
  const input = new PassThrough();
  const said: { attempt: number; reason: string | undefined }[] = [];
  const src = new CodeSource({
    stdin: input,
    fromStdin: true,
    label: 'code: ',
    announce: (attempt, reason) => said.push({ attempt, reason }),
    terminal: () => {},
  });
  input.write('111111\n111111\nnot a code\n222222\n');
  assert.deepEqual(await src.next(1), { ok: true, code: '111111' });
  assert.deepEqual(await src.next(2), { ok: true, code: '222222' });
  assert.deepEqual(
    said.map((s) => [s.attempt, s.reason?.slice(0, 20)]),
    [
      [1, undefined],
      [2, undefined],
      [2, 'that code was alread'],
      [2, 'that is not a one-ti'],
    ],
  );
  input.end();
  const last = await src.next(3);
  assert.equal(last.ok, false);
  if (!last.ok) {
    assert.equal(last.failure.code, 'cancelled');
    assert.match(last.failure.message, /cannot be reused/);
  }
});
