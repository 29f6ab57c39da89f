import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  authenticatorResponseDigest,
  challengeHash,
  challengeResponse,
  challengeUserName,
  checkAuthenticatorResponse,
  generateAuthenticatorResponse,
  generateNtResponse,
  generateNtResponseFromHash,
  hashNtPasswordHash,
  ntPasswordHash,
  verifyNtResponse,
} from '../../../../main/engine/crypto/mschapv2.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

// RFC 2759 §9.2 example values.
const USER = 'User';
const PASSWORD = 'clientPass';
const AUTH_CHALLENGE = h('5B5D7C7D7B3F2F3E3C2C602132262628');
const PEER_CHALLENGE = h('21402324255E262A28295F2B3A337C7E');
const CHALLENGE = h('D02E4386BCE91226');
const PASSWORD_HASH = h('44EBBA8D5312B8D611474411F56989AE');
const NT_RESPONSE = h('82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF');
const PASSWORD_HASH_HASH = h('41C00C584BD2D91C4017A2A12FA59F3F');
const AUTH_RESPONSE = 'S=407A5589115FD0D6209F510FE9C04566932CDA56';

test('RFC 2759: ChallengeHash', () => {
  assert.deepEqual(challengeHash(PEER_CHALLENGE, AUTH_CHALLENGE, USER), CHALLENGE);
});

test('RFC 2759: NtPasswordHash over UTF-16LE', () => {
  assert.deepEqual(ntPasswordHash(PASSWORD), PASSWORD_HASH);
});

test('RFC 2759: ChallengeResponse and GenerateNTResponse', () => {
  assert.deepEqual(challengeResponse(CHALLENGE, PASSWORD_HASH), NT_RESPONSE);
  assert.deepEqual(generateNtResponse(AUTH_CHALLENGE, PEER_CHALLENGE, USER, PASSWORD), NT_RESPONSE);
  assert.deepEqual(generateNtResponseFromHash(AUTH_CHALLENGE, PEER_CHALLENGE, USER, PASSWORD_HASH), NT_RESPONSE);
});

test('RFC 2759: HashNtPasswordHash', () => {
  assert.deepEqual(hashNtPasswordHash(PASSWORD_HASH), PASSWORD_HASH_HASH);
});

test('RFC 2759: GenerateAuthenticatorResponse', () => {
  assert.equal(
    generateAuthenticatorResponse(PASSWORD_HASH, NT_RESPONSE, PEER_CHALLENGE, AUTH_CHALLENGE, USER),
    AUTH_RESPONSE,
  );
});

test('non-ASCII password is hashed as proper UTF-16LE, not ASCII-spaced bytes', () => {
  const password = 'pässwörd€';
  // Every code unit little-endian: the euro sign is U+20AC → AC 20 (ASCII-spacing would mangle it).
  assert.deepEqual(Buffer.from(password, 'utf16le'), h('7000 e400 7300 7300 7700 f600 7200 6400 ac20'));
  // Reference digest from OpenSSL's legacy MD4 over those bytes (iconv -t UTF-16LE | openssl dgst -md4).
  assert.deepEqual(ntPasswordHash(password), h('7f20bf6e69d97371914a8807579cab5c'));
  const utf8Spaced = Buffer.concat([...Buffer.from(password, 'utf8')].map((b) => Buffer.of(b, 0)));
  assert.notDeepEqual(Buffer.from(password, 'utf16le'), utf8Spaced);
});

test('characters outside the BMP are hashed as their surrogate pair', () => {
  // 'p😀' → 70 00 3D D8 00 DE; digest from OpenSSL's legacy MD4.
  assert.deepEqual(ntPasswordHash('p\u{1F600}'), h('ff2fe73a072cf9ba38094a9caa713cf2'));
});

test('the domain prefix is left out of ChallengeHash (RFC 2759 §8.2)', () => {
  assert.equal(challengeUserName('HUB1\\testuser'), 'testuser');
  assert.equal(challengeUserName('A\\B\\user'), 'user');
  assert.equal(challengeUserName('testuser@HUB1'), 'testuser@HUB1');
  assert.deepEqual(challengeHash(PEER_CHALLENGE, AUTH_CHALLENGE, 'CORP\\User'), CHALLENGE);
});

const DIGEST = authenticatorResponseDigest(PASSWORD_HASH, NT_RESPONSE, PEER_CHALLENGE, AUTH_CHALLENGE, USER);

test('CheckAuthenticatorResponse accepts the right S= value, with or without M=', () => {
  assert.equal(checkAuthenticatorResponse(DIGEST, AUTH_RESPONSE), true);
  assert.equal(checkAuthenticatorResponse(DIGEST, `${AUTH_RESPONSE} M=Welcome`), true);
  assert.equal(checkAuthenticatorResponse(DIGEST, AUTH_RESPONSE.toLowerCase().replace('s=', 'S=')), true);
});

test('CheckAuthenticatorResponse refuses wrong, short, missing or garbled S= values', () => {
  const flipped = `S=${AUTH_RESPONSE.slice(2, 41) + (AUTH_RESPONSE.endsWith('6') ? '7' : '6')}`;
  for (const m of [
    flipped,
    AUTH_RESPONSE.slice(0, 41),
    `${AUTH_RESPONSE}0`,
    'M=Welcome',
    '',
    ` ${AUTH_RESPONSE}`,
    `S=${'G'.repeat(40)}`,
    `s=${AUTH_RESPONSE.slice(2)}`,
  ]) {
    assert.equal(checkAuthenticatorResponse(DIGEST, m), false, m);
  }
  assert.equal(checkAuthenticatorResponse(DIGEST.subarray(0, 19), AUTH_RESPONSE), false);
});

test('server side: verifyNtResponse accepts the right password and refuses a wrong one', () => {
  assert.equal(verifyNtResponse(PASSWORD_HASH, AUTH_CHALLENGE, PEER_CHALLENGE, USER, NT_RESPONSE), true);
  assert.equal(
    verifyNtResponse(ntPasswordHash('clientpass'), AUTH_CHALLENGE, PEER_CHALLENGE, USER, NT_RESPONSE),
    false,
  );
  assert.equal(verifyNtResponse(PASSWORD_HASH, AUTH_CHALLENGE, PEER_CHALLENGE, 'Other', NT_RESPONSE), false);
  assert.equal(
    verifyNtResponse(PASSWORD_HASH, AUTH_CHALLENGE, PEER_CHALLENGE, USER, NT_RESPONSE.subarray(0, 23)),
    false,
  );
});
