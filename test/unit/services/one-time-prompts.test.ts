import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtpFlow, OtpPrompts, withOneTimeCode } from '../../../main/services/connections/one-time-prompts.js';
import type { OtpPrompt } from '../../../main/contract/model.js';
import type { Profile } from '../../../main/contract/profile.js';
import type { SessionConfig } from '../../../main/engine/config.js';

const profile = { id: 'p1', name: 'Office', otp: { mode: 'append' } } as unknown as Profile;
const base = { credentials: { username: 'alice', password: 'static' } } as unknown as SessionConfig;

function setup() {
  const opened: OtpPrompt[] = [];
  const resolved: string[] = [];
  const prompts = new OtpPrompts({ opened: (p) => opened.push(p), resolved: (id) => resolved.push(id) });
  return { prompts, opened, resolved, flow: new OtpFlow(prompts, profile, 'append') };
}

test('withOneTimeCode: append and replace', () => {
  assert.equal(withOneTimeCode(base, 'static', '123456', 'append').credentials.password, 'static123456');
  assert.equal(withOneTimeCode(base, 'static', '123456', 'replace').credentials.password, '123456');
});

test('OtpFlow asks, refuses a spent code and a non-code with a reason, and renews the config per reconnect', async () => {
  const { prompts, opened, resolved, flow } = setup();
  const first = flow.code(1);
  assert.equal(opened.length, 1);
  assert.equal(opened[0]?.attempt, 1);
  prompts.answer(opened[0]!.promptId, ' 111111 ');
  assert.equal(await first, '111111');
  assert.deepEqual(resolved, [opened[0]!.promptId]);

  const renew = flow.renew(base)(1);
  await Promise.resolve();
  assert.equal(opened[1]?.attempt, 2);
  assert.match(opened[1]?.message ?? '', /dropped/);
  prompts.answer(opened[1]!.promptId, '111111');
  await new Promise((r) => setImmediate(r));
  assert.match(opened[2]?.reason ?? '', /already used/);
  prompts.answer(opened[2]!.promptId, 'no way!');
  await new Promise((r) => setImmediate(r));
  assert.match(opened[3]?.reason ?? '', /not a one-time code/);
  prompts.answer(opened[3]!.promptId, '222222');
  const r = await renew;
  assert.equal(r.ok && r.config.credentials.password, 'static222222');
  assert.equal(prompts.list().length, 0);
});

test('dismissing ends the reconnect with a typed cancellation; a newer question replaces an older one', async () => {
  const { prompts, opened, flow } = setup();
  const r = flow.renew(base)(3);
  await Promise.resolve();
  assert.equal(opened[0]?.attempt, 4);
  const again = prompts.ask(profile, 5);
  // The older question was answered with null (dismissed) by the newer one.
  const out = await r;
  assert.equal(out.ok, false);
  if (!out.ok) assert.equal(out.failure.code, 'cancelled');
  prompts.dismiss(opened[1]!.promptId);
  assert.equal(await again, null);
  assert.equal(prompts.answer('gone', '123456'), false);
});
