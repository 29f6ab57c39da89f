// The sign-in (EAP) server's trust from a profile, and EAP-TLS-only profiles needing no password:
// the app's session config reads them; a missing password is still asked for every other method.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateProfile, type Profile } from '../../../../main/contract/profile.js';
import { eapTrustFor, needsPassword } from '../../../../main/services/connections/eap-trust.js';
import { buildSessionConfig } from '../../../../main/services/connections/session-config.js';
import { MemoryCredentialStore } from '../../../../main/services/credentials/memory-store.js';
import { importRisks } from '../../../../main/services/import/risks.js';
import { makeTestCa } from '../../../harness/softether-certs.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-eap-trust-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PIN = 'AB:'.repeat(31) + 'AB';

function profile(over: Record<string, unknown>): Profile {
  const r = validateProfile({
    version: 1,
    id: '6f1c1b9e-8f43-4a55-9d1c-0b3e8e1f2a10',
    name: 'Corp',
    server: { host: 'vpn.example.test' },
    username: 'alice',
    ...over,
  });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

describe('profile eapTrust', () => {
  it('validates: a pin is stored as 64 lower-case hex digits; unknown fields and bad names are refused', () => {
    assert.equal(profile({ eapTrust: { pinnedSha256: PIN } }).eapTrust?.pinnedSha256, 'ab'.repeat(32));
    for (const bad of [{ pinnedSha256: 'xyz' }, { serverName: 'a b' }, { caFile: '' }, { insecure: true }]) {
      assert.equal(
        validateProfile({
          version: 1,
          id: '6f1c1b9e-8f43-4a55-9d1c-0b3e8e1f2a10',
          name: 'C',
          server: { host: 'h' },
          username: 'a',
          eapTrust: bad,
        }).ok,
        false,
        JSON.stringify(bad),
      );
    }
  });

  it('maps to the engine: pin, CA PEM and name; a name alone keeps the outer policy; nothing said is undefined', async () => {
    const ca = makeTestCa('EAP trust unit CA');
    const caFile = join(dir, 'eap-ca.pem');
    writeFileSync(caFile, ca.certPem);
    const outer = { pinSha256: 'cd'.repeat(32) };
    assert.deepEqual(await eapTrustFor(undefined, outer), { ok: true, trust: undefined });
    assert.deepEqual(await eapTrustFor({}, outer), { ok: true, trust: undefined });
    assert.deepEqual(await eapTrustFor({ pinnedSha256: 'ab'.repeat(32) }, outer), {
      ok: true,
      trust: { pinSha256: 'ab'.repeat(32) },
    });
    assert.deepEqual(await eapTrustFor({ serverName: 'nps.corp.test' }, outer), {
      ok: true,
      trust: { pinSha256: 'cd'.repeat(32), serverName: 'nps.corp.test' },
    });
    const withCa = await eapTrustFor({ caFile, serverName: 'nps.corp.test' }, outer);
    assert.ok(withCa.ok && withCa.trust);
    assert.match(withCa.trust.caPem ?? '', /BEGIN CERTIFICATE/);
    assert.equal(withCa.trust.pinSha256, undefined, 'its own CA replaces the outer pin');
    const missing = await eapTrustFor({ caFile: join(dir, 'none.pem') }, outer);
    assert.ok(!missing.ok);
    assert.match(missing.message, /sign-in \(EAP\) server's CA file .*none\.pem/);
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
    assert.equal((await eapTrustFor({ caFile: join(dir, 'junk.pem') }, outer)).ok, false);
  });

  it('only EAP-TLS alone signs in without a password', () => {
    assert.equal(needsPassword(['eap-tls']), false);
    for (const m of [['eap-tls', 'eap-peap'], ['eap-peap'], ['mschapv2'], ['eap-tls', 'mschapv2']] as const)
      assert.equal(needsPassword(m), true, m.join());
  });
});

describe('buildSessionConfig for EAP profiles', () => {
  it('an eap-tls-only profile with no saved password connects without asking; its eapTrust reaches the engine', async () => {
    const creds = new MemoryCredentialStore();
    const p = profile({ authMethods: ['eap-tls'], eapTrust: { pinnedSha256: PIN, serverName: 'nps.corp.test' } });
    const r = await buildSessionConfig(p, creds, {});
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.config.credentials.password, '');
    assert.deepEqual(r.config.eapTrust, { pinSha256: 'ab'.repeat(32), serverName: 'nps.corp.test' });
    assert.deepEqual(r.secrets, [], 'no empty string as a secret to redact');
    // Not even the keychain is asked: a locked one does not stand in the way.
    creds.unavailable = true;
    assert.ok((await buildSessionConfig(p, creds, {})).ok);
  });

  it('PEAP or a mixed list still needs the password: password-required, as before', async () => {
    const creds = new MemoryCredentialStore();
    for (const authMethods of [['eap-peap'], ['eap-tls', 'mschapv2']]) {
      const r = await buildSessionConfig(profile({ authMethods }), creds, {});
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'password-required');
    }
    const plain = await buildSessionConfig(profile({}), creds, {});
    assert.ok(plain.ok === false && plain.error.kind === 'password-required');
    const given = await buildSessionConfig(profile({}), creds, { password: 'pw' });
    assert.ok(given.ok && given.config.eapTrust === undefined && given.config.credentials.password === 'pw');
  });
});

describe('import risks', () => {
  it("an imported profile's EAP pin and EAP CA are flagged; a server name alone is not", () => {
    const draft = {
      name: 'X',
      server: { host: 'h' },
      username: 'u',
      authMethods: ['eap-peap' as const],
      eapTrust: { pinnedSha256: 'ab'.repeat(32), caFile: '/tmp/their-ca.pem', serverName: 'nps.test' },
    };
    const r = importRisks(draft);
    assert.deepEqual(
      r.map((x) => x.field),
      ['eapTrust.pinnedSha256', 'eapTrust.caFile'],
    );
    assert.match(r[0]?.message ?? '', /sign-in \(EAP\) server certificate with SHA-256 abab/);
    assert.deepEqual(importRisks({ ...draft, eapTrust: { serverName: 'nps.test' } }), []);
  });
});
