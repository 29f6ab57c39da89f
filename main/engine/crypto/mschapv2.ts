// MS-CHAPv2 computations (RFC 2759 §8), for both ends: the client answers challenges and checks the
// server's proof; the server-side functions serve our strict test peer. Pure functions, no I/O.
import { createHash, timingSafeEqual } from 'node:crypto';
import { desEncrypt7 } from './des.js';
import { md4 } from './md4.js';

// RFC 2759 §8.7 constants.
const AUTH_MAGIC1 = Buffer.from('Magic server to client signing constant', 'ascii');
const AUTH_MAGIC2 = Buffer.from('Pad to make it do more than one iteration', 'ascii');

const sha1 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * The name as hashed: RFC 2759 §8.2 hashes "the user name ... excluding any prepended domain name",
 * so "DOMAIN\user" contributes "user" (pppd, SoftEther and Windows all strip at the last backslash).
 * The Response packet still carries the full name.
 */
export function challengeUserName(userName: string): string {
  const slash = userName.lastIndexOf('\\');
  return slash === -1 ? userName : userName.slice(slash + 1);
}

/** ChallengeHash (RFC 2759 §8.2): first 8 bytes of SHA1(PeerChallenge ‖ AuthenticatorChallenge ‖ UserName). */
export function challengeHash(peerChallenge: Uint8Array, authenticatorChallenge: Uint8Array, userName: string): Buffer {
  return sha1(peerChallenge, authenticatorChallenge, Buffer.from(challengeUserName(userName), 'utf8')).subarray(0, 8);
}

/**
 * NtPasswordHash (RFC 2759 §8.3): MD4 of the password in UTF-16LE. A JS string already is UTF-16,
 * so every code unit (surrogate pairs included) is written little-endian — unlike clients that only
 * interleave zero bytes with ASCII, which breaks every non-ASCII password.
 */
export function ntPasswordHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

/** HashNtPasswordHash (RFC 2759 §8.4): MD4 of the NT hash. */
export function hashNtPasswordHash(passwordHash: Uint8Array): Buffer {
  return md4(passwordHash);
}

/** ChallengeResponse (RFC 2759 §8.5): the 8-byte challenge DES-encrypted under three 7-byte slices of the zero-padded hash. */
export function challengeResponse(challenge: Uint8Array, passwordHash: Uint8Array): Buffer {
  const z = Buffer.alloc(21);
  z.set(passwordHash.subarray(0, 16));
  return Buffer.concat([
    desEncrypt7(z.subarray(0, 7), challenge),
    desEncrypt7(z.subarray(7, 14), challenge),
    desEncrypt7(z.subarray(14, 21), challenge),
  ]);
}

/** GenerateNTResponse (RFC 2759 §8.1) from the NT password hash (what a server stores). */
export function generateNtResponseFromHash(
  authenticatorChallenge: Uint8Array,
  peerChallenge: Uint8Array,
  userName: string,
  passwordHash: Uint8Array,
): Buffer {
  return challengeResponse(challengeHash(peerChallenge, authenticatorChallenge, userName), passwordHash);
}

/** GenerateNTResponse (RFC 2759 §8.1): the 24-byte NT-Response. */
export function generateNtResponse(
  authenticatorChallenge: Uint8Array,
  peerChallenge: Uint8Array,
  userName: string,
  password: string,
): Buffer {
  return generateNtResponseFromHash(authenticatorChallenge, peerChallenge, userName, ntPasswordHash(password));
}

/** The 20-byte digest behind the "S=" string (RFC 2759 §8.7). */
export function authenticatorResponseDigest(
  passwordHash: Uint8Array,
  ntResponse: Uint8Array,
  peerChallenge: Uint8Array,
  authenticatorChallenge: Uint8Array,
  userName: string,
): Buffer {
  const digest = sha1(hashNtPasswordHash(passwordHash), ntResponse, AUTH_MAGIC1);
  return sha1(digest, challengeHash(peerChallenge, authenticatorChallenge, userName), AUTH_MAGIC2);
}

/** GenerateAuthenticatorResponse (RFC 2759 §8.7): "S=" followed by 40 upper-case hex digits. */
export function generateAuthenticatorResponse(
  passwordHash: Uint8Array,
  ntResponse: Uint8Array,
  peerChallenge: Uint8Array,
  authenticatorChallenge: Uint8Array,
  userName: string,
): string {
  const d = authenticatorResponseDigest(passwordHash, ntResponse, peerChallenge, authenticatorChallenge, userName);
  return `S=${d.toString('hex').toUpperCase()}`;
}

const S_VALUE = /^S=([0-9A-Fa-f]{40})(?:$|[ \0])/;

/**
 * CheckAuthenticatorResponse (RFC 2759 §8.8), in constant time over the digest. `message` is the
 * Success message as received ("S=<40 hex> M=<text>"); false when the S= value is missing or malformed.
 */
export function checkAuthenticatorResponse(expectedDigest: Uint8Array, message: string): boolean {
  const m = S_VALUE.exec(message);
  const got = m?.[1] === undefined ? Buffer.alloc(20) : Buffer.from(m[1], 'hex');
  const same = expectedDigest.length === 20 && timingSafeEqual(got, expectedDigest);
  return m !== null && same;
}

/** Server side: does `ntResponse` prove knowledge of the password whose NT hash is `passwordHash`? */
export function verifyNtResponse(
  passwordHash: Uint8Array,
  authenticatorChallenge: Uint8Array,
  peerChallenge: Uint8Array,
  userName: string,
  ntResponse: Uint8Array,
): boolean {
  const expected = generateNtResponseFromHash(authenticatorChallenge, peerChallenge, userName, passwordHash);
  return ntResponse.length === expected.length && timingSafeEqual(expected, ntResponse);
}
