import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import forge from 'node-forge';
import { desEncrypt7, desEncryptBlock, expandDesKey } from '../../../../main/engine/crypto/des.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

/** The inverse of expandDesKey: the seven high bits of each byte, packed. */
function packKey(key8: Buffer): Buffer {
  let acc = 0n;
  for (const b of key8) acc = (acc << 7n) | BigInt(b >> 1);
  const out = Buffer.alloc(7);
  for (let i = 6; i >= 0; i--) {
    out[i] = Number(acc & 0xffn);
    acc >>= 8n;
  }
  return out;
}

const oddParity = (b: number): boolean =>
  b
    .toString(2)
    .split('')
    .filter((c) => c === '1').length %
    2 ===
  1;

test('DES-ECB: the classic worked example (key 133457799BBCDFF1)', () => {
  assert.deepEqual(desEncryptBlock(h('133457799BBCDFF1'), h('0123456789ABCDEF')), h('85E813540F0AB405'));
});

// NIST SP 800-17 Appendix A known-answer entries (also checked here against OpenSSL's legacy provider,
// `openssl enc -des-ecb -nopad -provider legacy`): [key, plaintext, ciphertext].
const SP800_17: readonly (readonly [string, string, string])[] = [
  // Table A.1, variable plaintext (key 0101010101010101: all key bits zero, parity set).
  ['0101010101010101', '8000000000000000', '95F8A5E5DD31D900'],
  ['0101010101010101', '4000000000000000', 'DD7F121CA5015619'],
  ['0101010101010101', '2000000000000000', '2E8653104F3834EA'],
  ['0101010101010101', '1000000000000000', '4BD388FF6CD81D4F'],
  ['0101010101010101', '0000000000000001', '166B40B44ABA4BD6'],
  // Table A.2, variable key (plaintext zero).
  ['8001010101010101', '0000000000000000', '95A8D72813DAA94D'],
  ['4001010101010101', '0000000000000000', '0EEC1487DD8C26D5'],
  ['2001010101010101', '0000000000000000', '7AD16FFB79C45926'],
  ['0101010101010102', '0000000000000000', '869EFD7F9F265A09'],
  // Table A.3, permutation operation.
  ['1046913489980131', '0000000000000000', '88D55E54F54C97B4'],
  // Table A.4, substitution table.
  ['7CA110454A1A6E57', '01A1D6D039776742', '690F5B0D9A26939B'],
  ['0131D9619DC1376E', '5CD54CA83DEF57DA', '7A389D10354BD271'],
];

test('DES-ECB: NIST SP 800-17 known answers', () => {
  for (const [key, plain, cipher] of SP800_17) {
    assert.deepEqual(desEncryptBlock(h(key), h(plain)), h(cipher), `key ${key}, plaintext ${plain}`);
  }
});

test('DES ignores the parity bits (the low bit of each key byte)', () => {
  const zeroKeyAnswer = h('8CA64DE9C1B123A7');
  assert.deepEqual(desEncryptBlock(Buffer.alloc(8), Buffer.alloc(8)), zeroKeyAnswer);
  assert.deepEqual(desEncryptBlock(Buffer.alloc(8, 0x01), Buffer.alloc(8)), zeroKeyAnswer);
});

test('RFC 2759 §9.2: the three DES blocks of ChallengeResponse', () => {
  // ZPasswordHash = PasswordHash ‖ 5 zero bytes, cut into three 7-byte keys; each encrypts the challenge.
  const z = Buffer.concat([h('44EBBA8D5312B8D611474411F56989AE'), Buffer.alloc(5)]);
  const challenge = h('D02E4386BCE91226');
  const response = h('82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF');
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(desEncrypt7(z.subarray(7 * i, 7 * i + 7), challenge), response.subarray(8 * i, 8 * i + 8));
  }
});

test('DES rejects a key or block that is not 8 bytes', () => {
  assert.throws(() => desEncryptBlock(Buffer.alloc(7), Buffer.alloc(8)), RangeError);
  assert.throws(() => desEncryptBlock(Buffer.alloc(8), Buffer.alloc(9)), RangeError);
});

/** node-forge's DES-ECB (what des.ts used before), kept here only as a second opinion. */
function forgeDes(key8: Uint8Array, block: Uint8Array): Buffer {
  const cipher = forge.cipher.createCipher('DES-ECB', forge.util.binary.raw.encode(key8));
  cipher.start();
  cipher.update(forge.util.createBuffer(forge.util.binary.raw.encode(block)));
  cipher.finish();
  // finish() appends a padding block; in ECB the first 8 bytes are the block alone.
  return Buffer.from(cipher.output.getBytes(), 'binary').subarray(0, 8);
}

test('DES agrees with node-forge on random keys and blocks', () => {
  const eight = fc.uint8Array({ minLength: 8, maxLength: 8 });
  fc.assert(
    fc.property(eight, eight, (key, block) => {
      assert.deepEqual(desEncryptBlock(key, block), forgeDes(key, block));
    }),
    { numRuns: 400 },
  );
});

test('DES with a 7-byte key equals DES with its parity-expanded 8-byte key', () => {
  const key8 = h('133457799BBCDFF1');
  assert.deepEqual(desEncrypt7(packKey(key8), h('0123456789ABCDEF')), h('85E813540F0AB405'));
});

test('expandDesKey spreads 7 bits per byte and sets odd parity', () => {
  assert.deepEqual(expandDesKey(Buffer.alloc(7)), Buffer.alloc(8, 0x01));
  assert.deepEqual(expandDesKey(Buffer.alloc(7, 0xff)), Buffer.alloc(8, 0xfe));
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 7, maxLength: 7 }), (k) => {
      const e = expandDesKey(k);
      assert.equal(e.length, 8);
      for (const b of e) assert.ok(oddParity(b), `byte ${b.toString(16)} lacks odd parity`);
      assert.deepEqual(packKey(e), Buffer.from(k));
    }),
  );
});
