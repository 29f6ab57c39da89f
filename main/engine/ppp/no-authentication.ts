// A server that asks for no authentication at all (no Authentication-Protocol in its LCP request).
// The client would then never learn whether the server knows the password — MS-CHAPv2's
// authenticator response is the only proof of that — so anyone holding a certificate the client
// trusts (or any server, with a pin on a lab box) could stand in for it unnoticed. Refused unless the
// profile says otherwise (allowNoAuthentication), with advice rather than a bare protocol word.
import { failure, type SessionFailure } from '../failure.js';

export function noAuthenticationRefused(): SessionFailure {
  return failure(
    'auth',
    'auth-method-refused',
    'The server asked for no authentication at all, so nothing would prove it is the server you meant to reach. ' +
      'Causeway refused to continue. If this is a lab server that really runs without authentication, allow it in the profile ' +
      '("Allow a server that asks for no authentication", or --allow-no-auth); otherwise ask its administrator to require MS-CHAPv2 or EAP.',
    { detail: 'LCP opened without an Authentication-Protocol option' },
  );
}
