// An untrusted certificate inside EAP opens its own trust question (target 'eap'); accepting pins it as
// the profile's sign-in server certificate (eapTrust.pinnedSha256), never as the VPN server's, and the
// retry carries it to the engine as eapTrust.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure } from '../../../../main/engine/failure.js';
import { PASSWORD, setup } from './setup.js';

const CERT = {
  subject: 'CN=nps',
  issuer: 'CN=Corp CA',
  serialNumber: '02',
  validFrom: '2020-01-01T00:00:00Z',
  validTo: '2040-01-01T00:00:00Z',
  subjectAltNames: [],
  sha256: 'CD:'.repeat(31) + 'CD',
  selfSigned: false,
};

test('an untrusted EAP certificate: an eap trust prompt; accepting pins eapTrust, not tls, and reconnects', async () => {
  const t = await setup();
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    t.sessions[0]!.fail(
      failure('auth', 'server-auth-failed', "The sign-in server's certificate inside EAP-TLS is not trusted", {
        eapCertificate: CERT,
      }),
    );
    await t.tick();
    const prompt = t.events.find((e) => e.type === 'trust-prompt');
    assert.ok(prompt && prompt.type === 'trust-prompt');
    assert.equal(prompt.prompt.target, 'eap');
    assert.equal(prompt.prompt.kind, 'unknown');
    assert.deepEqual(await t.service.acceptPrompt(prompt.prompt.promptId), { ok: true });
    const stored = await t.store.get(t.profile.id);
    assert.ok(stored.ok);
    assert.equal(stored.value.eapTrust?.pinnedSha256, 'cd'.repeat(32));
    assert.equal(stored.value.tls.pinnedSha256, undefined, 'the VPN server pin is untouched');
    const retry = t.sessions[1]!;
    assert.equal(retry.config.eapTrust?.pinSha256, 'cd'.repeat(32));
    assert.equal(retry.config.credentials.password, PASSWORD);
    // A different certificate next time: the question says it changed, naming the pinned one.
    retry.fail(
      failure('auth', 'server-auth-failed', 'not the pinned one', {
        eapCertificate: { ...CERT, sha256: 'EF:'.repeat(31) + 'EF' },
      }),
    );
    await t.tick();
    const again = t.events.filter((e) => e.type === 'trust-prompt').at(-1);
    assert.ok(again && again.type === 'trust-prompt');
    assert.equal(again.prompt.kind, 'changed');
    assert.equal(again.prompt.target, 'eap');
    assert.match(again.prompt.expected ?? '', /^CD:CD/);
  } finally {
    await t.cleanup();
  }
});
