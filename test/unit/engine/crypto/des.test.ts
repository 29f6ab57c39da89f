import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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
