import { test } from 'node:test';
import assert from 'node:assert/strict';
import { md4 } from '../../../../main/engine/crypto/md4.js';

// RFC 1320 §A.5 test suite.
const SUITE: ReadonlyArray<readonly [string, string]> = [
  ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
  ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
  ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
  ['message digest', 'd9130a8164549fe818874806e1c7014b'],
  ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
  [
    '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
    'e33b4ddc9c38f2199c3e7b164fcc0536',
  ],
];

for (const [input, digest] of SUITE) {
  test(`MD4("${input.length > 20 ? `${input.slice(0, 20)}…` : input}") matches RFC 1320`, () => {
    assert.equal(md4(Buffer.from(input, 'ascii')).toString('hex'), digest);
  });
}

test('MD4 handles lengths around the 56-byte padding boundary', () => {
  // Reference values from OpenSSL's legacy provider (openssl dgst -md4) over 'a' repeated n times.
  const expected: ReadonlyArray<readonly [number, string]> = [
    [55, 'c889c81dd86c4d2e025778944ea02881'],
    [56, 'd5f9a9e9257077a5f08b0b92f348b0ad'],
    [57, '872097e6f78e3b53f890459d03bc6fb7'],
    [63, '7ea3da77432d44c323671097d1348fc8'],
    [64, '52f5076fabd22680234a3fa9f9dc5732'],
    [65, '330e377bf231f3cacfecc2c182fe7e5b'],
  ];
  for (const [n, digest] of expected) assert.equal(md4(Buffer.alloc(n, 0x61)).toString('hex'), digest, `length ${n}`);
});

test('MD4 accepts a Uint8Array view into a larger buffer', () => {
  const big = Buffer.from('xxabcxx', 'ascii');
  assert.equal(md4(big.subarray(2, 5)).toString('hex'), 'a448017aaf21d8525fc10ae87aa6729d');
});
