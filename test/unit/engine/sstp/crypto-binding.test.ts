import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  buildCallConnected,
  certificateHash,
  chooseBindingHash,
  sealCallConnected,
  verifyCallConnected,
  CALL_CONNECTED_LENGTH,
  type BindingExpectation,
} from '../../../../main/engine/sstp/crypto-binding.js';
import {
  bareMessage,
  decodeControlPacket,
  encodeControlPacket,
  findAttribute,
} from '../../../../main/engine/sstp/codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// docs/protocol.md §3 (sstp-client's unit tests, MS-SSTP §4.7). HLAK = MasterSendKey ‖ MasterReceiveKey.
const SHA256_VECTOR = {
  hlak: Buffer.concat([hex('2A1BB40D55AB0F5EF32F06F2B3CC73C4'), hex('8FD3FAC41D7A1315A19228D9024CA164')]),
  nonce: hex('412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435'),
  certHash: hex('7993EF314C493DACE9F02D60E7E61C84B6690AAFE9D7AEEA92CBBE8AD599422D'),
  mac: hex('52A68EFD8CFFBF52770B8F0FE8EC73716583AF6D611EB6D179B3B20840985449'),
};
const SHA1_VECTOR = {
  hlak: Buffer.concat([hex('4B3128F43925D9006EEFB1C4E86515A1'), hex('D88E56BAB3CA2BDF0373B7F5A8A13B19')]),
  nonce: hex('0F1A2D58D4A3E3000FAD3CE4906E07B707AA9E441CCEAC5CBD7B2CC1C9D86CDF'),
  certHash: Buffer.concat([hex('5826B629BDA59B8E6FD8DCD2622FD34C534805A5'), Buffer.alloc(12)]),
  mac: hex('69915DD583D8062FEF16F61DB2F03290EC27CB6C'),
};

const certDer = Buffer.from(
  '30820122300d06092a864886f70d01010105000382010f00 not a real certificate, only hashed',
  'latin1',
);
const hlak = Buffer.from(Array.from({ length: 32 }, (_, i) => 0xa0 ^ i));
const nonce = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));

describe('crypto binding: test vectors', () => {
  it('SHA-256 vector gives the expected compound MAC in a spec-shaped packet', () => {
    const p = sealCallConnected({
      hlak: SHA256_VECTOR.hlak,
      hash: 'sha256',
      nonce: SHA256_VECTOR.nonce,
      certHash: SHA256_VECTOR.certHash,
    });
    assert.equal(p.length, 112);
    assert.deepEqual(p.subarray(0, 16), hex('10 01 00 70 00 04 00 01 00 03 00 68 00 00 00 02'));
    assert.deepEqual(p.subarray(16, 48), SHA256_VECTOR.nonce);
    assert.deepEqual(p.subarray(48, 80), SHA256_VECTOR.certHash);
    assert.deepEqual(p.subarray(80), SHA256_VECTOR.mac);
  });

  it('SHA-1 vector gives the expected compound MAC, zero-padded to 32', () => {
    const p = sealCallConnected({
      hlak: SHA1_VECTOR.hlak,
      hash: 'sha1',
      nonce: SHA1_VECTOR.nonce,
      certHash: SHA1_VECTOR.certHash,
    });
    assert.deepEqual(p.subarray(0, 16), hex('10 01 00 70 00 04 00 01 00 03 00 68 00 00 00 01'));
    assert.deepEqual(p.subarray(80, 100), SHA1_VECTOR.mac);
    assert.deepEqual(p.subarray(100), Buffer.alloc(12));
  });

  it('the vectors verify as a strict server would', () => {
    // verifyCallConnected hashes a certificate, so check the MAC path through a packet built from a DER.
    for (const hash of ['sha1', 'sha256'] as const) {
      const p = buildCallConnected({ hlak: SHA256_VECTOR.hlak, nonce: SHA256_VECTOR.nonce, certDer, hash });
      assert.deepEqual(verifyCallConnected(p, { hlak: SHA256_VECTOR.hlak, nonce: SHA256_VECTOR.nonce, certDer }), {
        ok: true,
        hash,
      });
    }
  });
});

describe('crypto binding: pieces', () => {
  it('cert hash is H(DER), SHA-1 zero-padded to 32', () => {
    assert.deepEqual(certificateHash(certDer, 'sha256'), createHash('sha256').update(certDer).digest());
    const s1 = certificateHash(certDer, 'sha1');
    assert.equal(s1.length, 32);
    assert.deepEqual(s1.subarray(0, 20), createHash('sha1').update(certDer).digest());
    assert.deepEqual(s1.subarray(20), Buffer.alloc(12));
  });

  it('chooses SHA-256 whenever offered', () => {
    assert.equal(chooseBindingHash(0x01), 'sha1');
    assert.equal(chooseBindingHash(0x02), 'sha256');
    assert.equal(chooseBindingHash(0x03), 'sha256');
    assert.equal(chooseBindingHash(0xff), 'sha256');
    assert.equal(chooseBindingHash(0x00), undefined);
    assert.equal(chooseBindingHash(0x04), undefined);
  });

  it('buildCallConnected puts H(cert) and the nonce in place', () => {
    const p = buildCallConnected({ hlak, nonce, certDer, hash: 'sha256' });
    const m = decodeControlPacket(p);
    assert.ok(m.ok);
    const b = findAttribute(m.value, 'CRYPTO_BINDING');
    assert.ok(b);
    assert.equal(b.hashProtocol, 2);
    assert.deepEqual(b.nonce, nonce);
    assert.deepEqual(b.certHash, certificateHash(certDer, 'sha256'));
  });

  it('refuses an HLAK that is not 32 bytes', () => {
    assert.throws(() => buildCallConnected({ hlak: Buffer.alloc(16), nonce, certDer, hash: 'sha256' }), RangeError);
  });
});

describe('crypto binding: verification', () => {
  const good = buildCallConnected({ hlak, nonce, certDer, hash: 'sha256' });
  const expect = { hlak, nonce, certDer };
  const fieldOf = (p: Buffer, e: BindingExpectation = expect): string => {
    const r = verifyCallConnected(p, e);
    return r.ok ? 'ok' : r.field;
  };

  it('accepts the right packet', () => {
    assert.equal(fieldOf(good), 'ok');
  });

  it('names what is wrong', () => {
    const wrongNonce = Buffer.from(nonce);
    wrongNonce[0] = (wrongNonce[0] ?? 0) ^ 1;
    assert.equal(fieldOf(good, { ...expect, nonce: wrongNonce }), 'nonce');
    assert.equal(fieldOf(good, { ...expect, certDer: Buffer.from('another certificate') }), 'certHash');
    assert.equal(fieldOf(good, { ...expect, hlak: Buffer.alloc(32) }), 'compoundMac');
    const flipped = Buffer.from(good);
    flipped[111] = (flipped[111] ?? 0) ^ 0x80;
    assert.equal(fieldOf(flipped), 'compoundMac');
    assert.equal(fieldOf(good, { ...expect, offeredBitmask: 0x01 }), 'hashProtocol');
    assert.equal(fieldOf(encodeControlPacket(bareMessage('ECHO_REQUEST'))), 'packet');
    assert.equal(fieldOf(good.subarray(0, 100)), 'packet');
  });

  it('a PAP/CHAP-MD5 session binds with a zero HLAK', () => {
    const zero = Buffer.alloc(32);
    const p = buildCallConnected({ hlak: zero, nonce, certDer, hash: 'sha1' });
    assert.equal(fieldOf(p, { hlak: zero, nonce, certDer }), 'ok');
  });

  it('never throws on mutated packets', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: CALL_CONNECTED_LENGTH - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.nat({ max: CALL_CONNECTED_LENGTH }),
        (i, x, cut) => {
          const p = Buffer.from(good);
          p[i] = (p[i] ?? 0) ^ x;
          const r = verifyCallConnected(p.subarray(0, cut), expect);
          assert.equal(r.ok, false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
