import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure } from '../../../../main/engine/failure.js';
import { formatIpv4 } from '../../../../main/engine/packet/icmp.js';
import { answerEcho } from '../../../peers/icmp-responder.js';
import { PASSWORD, setup } from './setup.js';

const CERT = {
  subject: 'CN=vpn',
  issuer: 'CN=vpn',
  serialNumber: '01',
  validFrom: '2020-01-01T00:00:00Z',
  validTo: '2040-01-01T00:00:00Z',
  subjectAltNames: [],
  sha256: 'AB:'.repeat(31) + 'AB',
  selfSigned: true,
};

test('connect without a stored password asks for one; with one it goes connecting → connected', async () => {
  const t = await setup();
  try {
    const r = await t.service.connect(t.profile.id);
    assert.deepEqual(r.ok ? 'ok' : r.error.kind, 'password-required');
    await t.credentials.set(t.profile.id, 'password', PASSWORD);
    assert.deepEqual(await t.service.connect(t.profile.id), { ok: true });
    const s = t.sessions[0]!;
    assert.equal(s.config.credentials.password, PASSWORD);
    s.emit({ type: 'phase', phase: 'tls' });
    s.succeed();
    await t.tick();
    assert.deepEqual(t.states(), ['connecting', 'connecting', 'connected']);
    const snap = t.service.snapshot(t.profile.id);
    assert.equal(snap.state, 'connected');
    if (snap.state === 'connected') {
      assert.equal(snap.addresses.ipv4, '192.168.30.10');
      assert.equal(snap.tls.version, 'TLSv1.3');
      assert.equal(snap.dataPlane, 'session');
    }
    await t.service.disconnect(t.profile.id);
    assert.equal(t.service.snapshot(t.profile.id).state, 'disconnected');
  } finally {
    await t.cleanup();
  }
});

test('no event ever carries the password; the log is redacted', async () => {
  const t = await setup();
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    t.sessions[0]!.log?.({ time: 0, level: 'info', phase: 'auth', message: `oops ${PASSWORD}` });
    t.sessions[0]!.succeed();
    await t.tick();
    await t.service.disconnect(t.profile.id);
    assert.ok(!JSON.stringify(t.events).includes(PASSWORD));
    assert.ok(t.events.some((e) => e.type === 'log' && e.line.entry.message.includes('[redacted]')));
  } finally {
    await t.cleanup();
  }
});

test('an untrusted certificate opens a trust prompt; accepting pins it and reconnects with the typed password', async () => {
  const t = await setup();
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    t.sessions[0]!.fail(failure('tls', 'certificate-untrusted', 'not trusted', { certificate: CERT }));
    await t.tick();
    assert.equal(t.service.snapshot(t.profile.id).state, 'error');
    const prompt = t.events.find((e) => e.type === 'trust-prompt');
    assert.ok(prompt && prompt.type === 'trust-prompt');
    assert.equal(prompt.prompt.kind, 'unknown');
    assert.ok(!JSON.stringify(prompt).includes(PASSWORD));
    const r = await t.service.acceptPrompt(prompt.prompt.promptId);
    assert.deepEqual(r, { ok: true });
    const stored = await t.store.get(t.profile.id);
    assert.equal(stored.ok && stored.value.tls.pinnedSha256, 'ab'.repeat(32));
    const retry = t.sessions[1]!;
    assert.equal(retry.config.trust.pinSha256, 'ab'.repeat(32));
    assert.equal(retry.config.credentials.password, PASSWORD);
    assert.deepEqual(await t.service.acceptPrompt(prompt.prompt.promptId), {
      ok: false,
      error: { kind: 'expired', message: 'This certificate question is no longer open.' },
    });
  } finally {
    await t.cleanup();
  }
});

test('a changed pinned certificate is its own state and a "changed" prompt', async () => {
  const t = await setup();
  try {
    await t.store.update(t.profile.id, (p) => ({ ...p, tls: { ...p.tls, pinnedSha256: 'cd'.repeat(32) } }));
    await t.service.connect(t.profile.id, { password: PASSWORD });
    t.sessions[0]!.fail(failure('tls', 'certificate-pin-mismatch', 'WARNING: changed', { certificate: CERT }));
    await t.tick();
    const snap = t.service.snapshot(t.profile.id);
    assert.equal(snap.state, 'pin-mismatch');
    if (snap.state === 'pin-mismatch') assert.match(snap.expected, /^CD:CD/);
    const prompt = t.events.find((e) => e.type === 'trust-prompt');
    assert.equal(prompt?.type === 'trust-prompt' && prompt.prompt.kind, 'changed');
  } finally {
    await t.cleanup();
  }
});

test('a dropped tunnel reconnects with backoff; auth failure does not retry', async () => {
  const t = await setup();
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    t.sessions[0]!.succeed();
    await t.tick();
    t.sessions[0]!.drop(failure('connected', 'connection-lost', 'lost'));
    await t.tick();
    const snap = t.service.snapshot(t.profile.id);
    assert.equal(snap.state, 'reconnecting');
    if (snap.state === 'reconnecting') assert.equal(snap.retry, 1);
    t.clock.advance(999);
    await t.tick();
    assert.equal(t.sessions.length, 1, 'not before the backoff');
    t.clock.advance(1);
    // The retry reads the profile file and the keychain: real I/O, so wait in real time.
    for (let i = 0; i < 400 && t.sessions.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(t.sessions.length, 2);
    assert.equal(t.sessions[1]!.config.credentials.password, PASSWORD);
    t.sessions[1]!.fail(failure('auth', 'auth-failed', 'wrong password'));
    await t.tick();
    const after = t.service.snapshot(t.profile.id);
    assert.equal(after.state, 'error');
    if (after.state === 'error') assert.equal(after.failure.code, 'auth-failed');
  } finally {
    await t.cleanup();
  }
});

test('bytes through the service are counted and pushed; ping goes through the counting port', async () => {
  const t = await setup();
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    const s = t.sessions[0]!;
    s.succeed();
    await t.tick();
    const pinged = t.service.ping(t.profile.id);
    const request = s.sent[0]!;
    const reply = answerEcho(request, formatIpv4(request.subarray(16, 20)));
    assert.equal(reply.kind, 'reply');
    if (reply.kind === 'reply') s.receive(reply.packet);
    const r = await pinged;
    assert.equal(r.ok, true);
    const snap = t.service.snapshot(t.profile.id);
    assert.equal(snap.state === 'connected' && snap.bytesOut, request.length);
    assert.equal(snap.state === 'connected' && snap.bytesIn, request.length);
  } finally {
    await t.cleanup();
  }
});

test('without a keychain: asked for the password (saying why, once per connect), connected, nothing saved or logged', async () => {
  const t = await setup();
  try {
    t.credentials.unavailable = true;
    const r = await t.service.connect(t.profile.id);
    assert.ok(!r.ok && r.error.kind === 'password-required');
    assert.match(r.error.keychainUnavailable ?? '', /keychain cannot be used/);
    assert.match(r.error.message, /this connection only/);

    // The renderer sends remember: false then; a stray remember: true must not block the connection either.
    assert.deepEqual(await t.service.connect(t.profile.id, { password: PASSWORD, remember: true }), { ok: true });
    const s = t.sessions[0]!;
    assert.equal(s.config.credentials.password, PASSWORD);
    s.succeed();
    await t.tick();
    assert.equal(t.service.snapshot(t.profile.id).state, 'connected');
    t.credentials.unavailable = false;
    assert.deepEqual(await t.credentials.get(t.profile.id, 'password'), { ok: true, value: undefined });
    const attempts = t.logs.list(t.profile.id);
    assert.ok(attempts.ok && attempts.value.length === 1);
    const text = JSON.stringify(await t.logs.read(t.profile.id, attempts.value[0]!.attempt));
    assert.match(text, /not remembered/);
    assert.equal(text.includes(PASSWORD), false);
    await t.service.disconnect(t.profile.id);

    // The next connect asks again: the typed password was for that connection only.
    t.credentials.unavailable = true;
    const again = await t.service.connect(t.profile.id);
    assert.ok(!again.ok && again.error.kind === 'password-required' && again.error.keychainUnavailable !== undefined);
  } finally {
    await t.cleanup();
  }
});
