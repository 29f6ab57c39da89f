// The doctor's "proxy wants NTLM" advice is given exactly when the engine's proxy code cannot answer the
// 407 and a Windows scheme was offered, and its words name the schemes the engine does speak.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adviceFor, offersOnlyWindowsProxyAuth } from '../../../../main/services/doctor/advice.js';
import { answerChallenges, parseChallenges } from '../../../../main/engine/transport/proxy-auth.js';

const DIGEST = 'Digest realm="squid", nonce="abc", qop="auth", algorithm=SHA-256';

/** Proxy-Authenticate values, and whether the advice should be the NTLM one. */
const cases: [header: string, windowsOnly: boolean][] = [
  ['NTLM', true],
  ['Negotiate', true],
  ['NTLM, Negotiate', true],
  [
    'Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXegMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHgYKKwYBBAGCNwICCqKCAUEEggE9',
    true,
  ],
  ['Basic realm="p", NTLM', false],
  ['NTLM, Basic realm="p"', false],
  [`NTLM, ${DIGEST}`, false],
  [`Negotiate, NTLM, ${DIGEST}`, false],
  [DIGEST, false],
  ['Basic realm="corp"', false],
];

/** The detail as transport/proxy.ts writes it for a 407. */
const detailOf = (header: string) => `HTTP/1.1 407 Proxy Authentication Required; Proxy-Authenticate: ${header}`;

describe('proxy sign-in advice', () => {
  for (const [header, windowsOnly] of cases) {
    it(`${header.slice(0, 40)} → ${windowsOnly ? 'proxy-ntlm' : 'proxy-credentials'}, as the engine answers it`, () => {
      assert.equal(offersOnlyWindowsProxyAuth(detailOf(header)), windowsOnly);
      // The engine itself: it cannot answer exactly the Windows-only offers.
      const parsed = parseChallenges(header);
      assert.ok(parsed.ok);
      const answer = answerChallenges(
        parsed.challenges,
        { username: 'u', password: 'p' },
        { method: 'CONNECT', uri: 'vpn:443' },
      );
      assert.equal(answer.ok, !windowsOnly);
      const a = adviceFor({
        failure: { phase: 'proxy', code: 'proxy-auth-failed', message: 'm', detail: detailOf(header) },
        viaProxy: true,
      });
      assert.equal(a.id, windowsOnly ? 'proxy-ntlm' : 'proxy-credentials');
    });
  }

  it('the NTLM advice names both schemes the engine speaks, and no longer says "only Basic"', () => {
    const a = adviceFor({
      failure: { phase: 'proxy', code: 'proxy-auth-failed', message: 'm', detail: detailOf('NTLM, Negotiate') },
      viaProxy: true,
    });
    assert.match(a.meaning, /NTLM.*does not support.*Digest or Basic/);
    assert.match(a.action, /allow Digest or Basic/);
    assert.doesNotMatch(a.meaning + a.action, /only speaks Basic/);
  });

  it('the scheme names count only as schemes, not inside a token or the status line', () => {
    assert.equal(offersOnlyWindowsProxyAuth('HTTP/1.1 407 Basic Digest Needed; Proxy-Authenticate: NTLM'), true);
    assert.equal(offersOnlyWindowsProxyAuth(detailOf('Negotiate a+Basic/Digest==')), true);
    assert.equal(offersOnlyWindowsProxyAuth('HTTP/1.1 407 NTLM; Proxy-Authenticate: (none)'), false);
  });
});
