// Picks the authenticator for the method LCP agreed on.
import type { AuthMethod } from '../../config.js';
import type { Authenticator, AuthenticatorContext, AuthenticatorFactory } from './authenticator.js';
import { ChapMd5Authenticator } from './chap-md5.js';
import { EapAuthenticator } from './eap.js';
import { eapOptions } from './eap-setup.js';
import type { EapSetup } from './eap-setup.js';
import { MsChapV2Authenticator } from './mschapv2.js';
import { PapAuthenticator } from './pap.js';

export type { Authenticator, AuthenticatorContext, AuthenticatorFactory, AuthResult } from './authenticator.js';
export type { EapSetup } from './eap-setup.js';
export { eapSetupOf } from './eap-setup.js';

/** The factory for a session: EAP methods get the profile's EAP methods, client certificate and inner trust. */
export function authenticatorFactoryFor(setup: EapSetup): AuthenticatorFactory {
  return (method, ctx) => {
    if (method === 'eap-mschapv2' || method === 'eap-tls' || method === 'eap-peap')
      return new EapAuthenticator(ctx, eapOptions(method, ctx, setup));
    return createAuthenticator(method, ctx);
  };
}

export const createAuthenticator: AuthenticatorFactory = (
  method: AuthMethod,
  ctx: AuthenticatorContext,
): Authenticator => {
  switch (method) {
    case 'pap':
      return new PapAuthenticator(ctx);
    case 'chap':
      return new ChapMd5Authenticator(ctx);
    case 'mschapv2':
      return new MsChapV2Authenticator(ctx);
    case 'eap-mschapv2':
      return new EapAuthenticator(ctx);
    case 'eap-tls':
    case 'eap-peap':
      // Without a session's setup: no client certificate (a TLS Request is refused, explained) and
      // only the system CAs vouch for the server inside EAP.
      return new EapAuthenticator(ctx, eapOptions(method, ctx, { authMethods: [method], trust: { policy: {} } }));
    default: {
      const never: never = method;
      return never;
    }
  }
};
