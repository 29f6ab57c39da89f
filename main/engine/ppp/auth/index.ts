// Picks the authenticator for the method LCP agreed on.
import type { AuthMethod } from '../../config.js';
import type { Authenticator, AuthenticatorContext, AuthenticatorFactory } from './authenticator.js';
import { ChapMd5Authenticator } from './chap-md5.js';
import { EapAuthenticator } from './eap.js';
import { MsChapV2Authenticator } from './mschapv2.js';
import { PapAuthenticator } from './pap.js';

export type { Authenticator, AuthenticatorContext, AuthenticatorFactory, AuthResult } from './authenticator.js';

export const createAuthenticator: AuthenticatorFactory = (method: AuthMethod, ctx: AuthenticatorContext): Authenticator => {
  switch (method) {
    case 'pap':
      return new PapAuthenticator(ctx);
    case 'chap':
      return new ChapMd5Authenticator(ctx);
    case 'mschapv2':
      return new MsChapV2Authenticator(ctx);
    case 'eap-mschapv2':
      return new EapAuthenticator(ctx);
    default: {
      const never: never = method;
      return never;
    }
  }
};
