// The app's Test connection (and Doctor: the same diagnoseProfile) for a profile with one-time codes:
// the code is asked through the otp.prompt question Connect uses, joined to the password the same
// way, scrubbed from the attempt's log; a dismissed question sends nothing; a refused code says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OtpPrompt } from '../../../../main/contract/model.js';
import { failure } from '../../../../main/engine/failure.js';
import { formatIpv4 } from '../../../../main/engine/packet/icmp.js';
import { answerEcho } from '../../../peers/icmp-responder.js';
import { PASSWORD, setup } from './setup.js';

async function otpSetup() {
  const t = await setup();
  await t.credentials.set(t.profile.id, 'password', PASSWORD);
  await t.store.update(t.profile.id, (p) => ({
    ...p,
    server: { host: '192.0.2.10', port: 443 },
    otp: { mode: 'append' },
  }));
  // The question as the renderer gets it: the otp-prompt event.
  const prompt = () =>
    new Promise<OtpPrompt>((resolve) => {
      const off = t.service.subscribe((e) => {
        if (e.type !== 'otp-prompt') return;
        off();
        resolve(e.prompt);
      });
    });
  // The attempt has reached the session (an address: no name to resolve, so only microtasks between).
  const dialled = async () => {
    for (let i = 0; i < 100 && t.sessions.length === 0; i++) await t.tick();
  };
  const logText = async () => {
    const dir = join(t.dir, 'logs');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.jsonl'));
    return (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
  };
  return { ...t, prompt, dialled, logText };
}

test('Test asks for a code like Connect, sends password+code, and keeps the code out of the log', async () => {
  const t = await otpSetup();
  try {
    const asked = t.prompt();
    const result = t.service.test(t.profile.id);
    const p = await asked;
    assert.equal(p.profileId, t.profile.id);
    assert.equal(p.attempt, 1);
    assert.equal(t.sessions.length, 0, 'nothing is sent before the code');
    assert.ok(t.service.otp.answer(p.promptId, '482913'));
    await t.dialled();
    const s = t.sessions[0]!;
    assert.equal(s.config.credentials.password, `${PASSWORD}482913`);
    // A trace line that echoes what was sent must still not reach the log or the live view.
    s.log?.({ time: 0, level: 'info', phase: 'auth', message: `sent ${s.config.credentials.password} (code 482913)` });
    s.succeed();
    // The data check pings the server's tunnel address: answer it as the server would.
    for (let i = 0; i < 100 && s.sent.length === 0; i++) await t.tick();
    const request = s.sent[0];
    assert.ok(request, 'the test pinged the server');
    const reply = answerEcho(request, formatIpv4(request.subarray(16, 20)));
    if (reply.kind === 'reply') s.receive(reply.packet);
    const r = await result;
    assert.ok(r.ok, JSON.stringify(r));
    const log = await t.logText();
    assert.match(log, /\[redacted\]/);
    for (const secret of ['482913', PASSWORD]) {
      assert.ok(!log.includes(secret), `${secret} in the attempt log`);
      assert.ok(!JSON.stringify(t.events).includes(secret), `${secret} in an event`);
    }
  } finally {
    await t.cleanup();
  }
});

test('a dismissed code question sends nothing and says to run the test again with a code', async () => {
  const t = await otpSetup();
  try {
    const asked = t.prompt();
    const result = t.service.diagnoseProfile(t.profile.id, { mtu: false });
    t.service.otp.dismiss((await asked).promptId);
    const r = await result;
    assert.ok(!r.ok && r.error.kind === 'configuration', JSON.stringify(r));
    assert.match(r.error.message, /needs a one-time code.*nothing was sent/);
    assert.equal(t.sessions.length, 0);
  } finally {
    await t.cleanup();
  }
});

test('a refused code (used before, or expired) fails saying a code works once', async () => {
  const t = await otpSetup();
  try {
    const asked = t.prompt();
    const result = t.service.test(t.profile.id);
    t.service.otp.answer((await asked).promptId, '482913');
    await t.dialled();
    t.sessions[0]!.fail(failure('auth', 'auth-failed', 'The server rejected the user name or password.'));
    const r = await result;
    assert.ok(!r.ok && r.error.kind === 'failed', JSON.stringify(r));
    assert.match(r.error.failure.message, /takes each code once.*Run again with a fresh code/);
  } finally {
    await t.cleanup();
  }
});
