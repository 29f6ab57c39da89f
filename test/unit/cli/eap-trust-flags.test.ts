// --eap-pin / --eap-ca / --eap-server-name on `profiles add|edit`, and the hint printed when the
// sign-in (EAP) server's certificate is not trusted: it names --eap-pin, never the outer --pin.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { eapTrustHintFor, formatEapTrustHint } from '../../../main/cli/eap-trust-hint.js';
import { parseProfileFlags } from '../../../main/cli/profiles/flags.js';
import { formatProfile } from '../../../main/cli/profiles/format.js';
import { validateProfile } from '../../../main/contract/profile.js';
import { trustHintFor } from '../../../main/cli/profiles/trust-hint.js';
import { validateDraft, type ProfileDraft } from '../../../main/contract/profile.js';
import { failure } from '../../../main/engine/failure.js';
import type { CertificateInfo } from '../../../main/engine/certificate-info.js';

const base: ProfileDraft = { name: 'Corp', server: { host: 'vpn.example.test' }, username: 'alice' };
const HEX = 'ab'.repeat(32);

function apply(flags: Parameters<typeof parseProfileFlags>[0], from: ProfileDraft = base): ProfileDraft {
  const r = parseProfileFlags(flags);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value.apply(from);
}

describe('EAP trust flags', () => {
  it('set, keep and clear each field; the result passes the profile schema', () => {
    const set = apply({
      eapPin: `sha256:${'AB:'.repeat(31)}AB`,
      eapCa: 'certs/nps-ca.pem',
      eapServerName: 'nps.corp.test',
    });
    assert.deepEqual(set.eapTrust, {
      pinnedSha256: HEX,
      caFile: resolve('certs/nps-ca.pem'),
      serverName: 'nps.corp.test',
    });
    assert.ok(validateDraft(set).ok);
    const noPin = apply({ eapPin: false }, set);
    assert.deepEqual(noPin.eapTrust, { caFile: resolve('certs/nps-ca.pem'), serverName: 'nps.corp.test' });
    const cleared = apply({ eapCa: false, eapServerName: false }, noPin);
    assert.equal('eapTrust' in cleared, false, 'emptied: the field goes');
    assert.deepEqual(apply({ user: 'bob' }, set).eapTrust, set.eapTrust, 'other flags leave it alone');
  });

  it('profiles show says how the sign-in server is trusted', () => {
    const p = validateProfile({
      version: 1,
      id: '6f1c1b9e-8f43-4a55-9d1c-0b3e8e1f2a10',
      ...apply({ eapPin: `sha256:${HEX}`, eapServerName: 'nps.corp.test' }),
    });
    assert.ok(p.ok);
    assert.match(
      formatProfile(p.value, { kind: 'not-saved' }),
      /EAP server +trusts pinned certificate SHA-256 AB:AB[:AB]*, must be named nps\.corp\.test\n/,
    );
  });

  it('refuses a malformed pin naming the flag', () => {
    const r = parseProfileFlags({ eapPin: 'sha256:xyz' });
    assert.ok(!r.ok);
    assert.match(r.error, /--eap-pin must be sha256:/);
  });
});

describe('EAP trust hint', () => {
  const cert: CertificateInfo = {
    subject: 'CN=nps.corp.test',
    issuer: 'CN=Corp CA',
    serialNumber: '01',
    validFrom: '2026-01-01T00:00:00Z',
    validTo: '2027-01-01T00:00:00Z',
    subjectAltNames: ['DNS:nps.corp.test'],
    sha256: 'AB:'.repeat(31) + 'AB',
    selfSigned: false,
  };
  const f = failure('auth', 'server-auth-failed', 'not trusted', { eapCertificate: cert });

  it('names --eap-pin with exactly the presented fingerprint, for a profile and ad hoc', () => {
    const h = eapTrustHintFor(f, "Bob's VPN", 'vpn.example.test');
    assert.equal(h?.command, `causeway profiles edit 'Bob'\\''s VPN' --eap-pin sha256:${HEX}`);
    const text = formatEapTrustHint(h!);
    assert.match(text, /sign-in \(EAP\) server certificate is not trusted/);
    assert.match(text, /--eap-ca FILE/);
    assert.match(text, /--eap-server-name NAME/);
    assert.match(
      eapTrustHintFor(f, undefined, 'vpn.example.test:4443')?.command ?? '',
      /^causeway test vpn\.example\.test:4443 --eap-pin sha256:ab/,
    );
  });

  it('is not the outer hint, and no hint without an inner certificate', () => {
    assert.equal(trustHintFor(f, 'Corp', 'x'), undefined, 'never offered as --pin');
    assert.equal(eapTrustHintFor(failure('auth', 'server-auth-failed', 'x'), 'Corp', 'x'), undefined);
    assert.equal(eapTrustHintFor(undefined, 'Corp', 'x'), undefined);
  });
});
