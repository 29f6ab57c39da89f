import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_METHODS } from '../../../../../main/engine/config.js';
import { createAuthenticator } from '../../../../../main/engine/ppp/auth/index.js';
import { PPP_CHAP, PPP_EAP, PPP_PAP } from '../../../../../main/engine/ppp/protocols.js';
import { fakeContext } from './fake-context.js';

test('createAuthenticator builds one authenticator per method, on the right PPP protocol', () => {
  const expected = {
    pap: PPP_PAP,
    chap: PPP_CHAP,
    mschapv2: PPP_CHAP,
    'eap-mschapv2': PPP_EAP,
    'eap-tls': PPP_EAP,
    'eap-peap': PPP_EAP,
  } as const;
  for (const method of AUTH_METHODS) {
    const a = createAuthenticator(method, fakeContext());
    assert.equal(a.method, method);
    assert.equal(a.protocol, expected[method]);
  }
});
