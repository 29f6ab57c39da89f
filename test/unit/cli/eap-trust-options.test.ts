// --eap-pin / --eap-ca / --eap-server-name for one run: parsed with errors naming the flag, laid over
// a profile's eapTrust (or the outer policy) field by field, and reaching an ad-hoc session config.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEapTrustFlags, withEapTrustFlags } from '../../../main/cli/eap-trust-options.js';
import { buildSessionConfig } from '../../../main/cli/options.js';

const HEX = 'AB'.repeat(32);

describe('per-run EAP trust flags', () => {
  it('parse, and refuse a bad pin or an unreadable CA naming the flag', () => {
    assert.deepEqual(parseEapTrustFlags({}), { ok: true, value: undefined });
    assert.deepEqual(parseEapTrustFlags({ eapPin: `sha256:${'ab:'.repeat(31)}ab`, eapServerName: 'nps.test' }), {
      ok: true,
      value: { pinSha256: HEX, serverName: 'nps.test' },
    });
    const bad = parseEapTrustFlags({ eapPin: 'xyz' });
    assert.ok(!bad.ok && /--eap-pin/.test(bad.error));
    const ca = parseEapTrustFlags({ eapCa: '/nonexistent/nps-ca.pem' });
    assert.ok(!ca.ok && /EAP CA file \/nonexistent\/nps-ca\.pem/.test(ca.error));
  });

  it('lay over the profile: a pin replaces its policy, a name alone keeps it; nothing given keeps it all', () => {
    const profile = { caPem: 'PEM', serverName: 'old.test' };
    const outer = { pinSha256: 'CD'.repeat(32) };
    assert.equal(withEapTrustFlags(profile, undefined, outer), profile);
    assert.equal(withEapTrustFlags(undefined, undefined, outer), undefined);
    assert.deepEqual(withEapTrustFlags(profile, { pinSha256: HEX }, outer), { pinSha256: HEX, serverName: 'old.test' });
    assert.deepEqual(withEapTrustFlags(profile, { serverName: 'new.test' }, outer), {
      caPem: 'PEM',
      serverName: 'new.test',
    });
    assert.deepEqual(withEapTrustFlags(undefined, { serverName: 'nps.test' }, outer), {
      pinSha256: 'CD'.repeat(32),
      serverName: 'nps.test',
    });
  });

  it('ad hoc (e.g. --auth eap-peap): the config carries eapTrust only when a flag was given', () => {
    const plain = buildSessionConfig('h', { user: 'a', auth: 'eap-peap' }, 'pw');
    assert.ok(plain.ok && plain.value.eapTrust === undefined);
    const pinned = buildSessionConfig('h', { user: 'a', auth: 'eap-peap', eapPin: `sha256:${HEX}` }, 'pw');
    assert.ok(pinned.ok);
    assert.equal(pinned.value.eapTrust?.pinSha256, HEX);
    assert.equal(buildSessionConfig('h', { user: 'a', eapPin: 'nope' }, 'pw').ok, false);
  });
});
