// Single-block DES, only for the MS-CHAP ChallengeResponse (RFC 2759 §8.5–8.6). Node 20's OpenSSL 3
// keeps des-ecb in the legacy provider and Electron's BoringSSL may lack it, so the cipher is our own
// (des-cipher.ts, FIPS 46-3); node-forge did it before, which alone adds ~10 MB of RSS to a bare Node.
import { desEncryptRaw } from './des-cipher.js';

/**
 * Spreads a 56-bit key (7 bytes) over 8 bytes, 7 key bits per byte in the high bits, and sets each
 * low bit for odd parity. DES itself ignores parity bits; setting them keeps the key "valid" for
 * implementations that check.
 */
export function expandDesKey(key7: Uint8Array): Buffer {
  const out = Buffer.alloc(8);
  let acc = 0n;
  for (let i = 0; i < 7; i++) acc = (acc << 8n) | BigInt(key7[i] ?? 0);
  for (let i = 0; i < 8; i++) {
    const seven = Number((acc >> BigInt(49 - 7 * i)) & 0x7fn);
    const byte = seven << 1;
    out[i] = byte | (popcount(byte) % 2 === 0 ? 1 : 0);
  }
  return out;
}

function popcount(v: number): number {
  let n = 0;
  for (let x = v; x !== 0; x >>= 1) n += x & 1;
  return n;
}

/** DES-ECB encryption of one 8-byte block with an 8-byte key. */
export function desEncryptBlock(key8: Uint8Array, block: Uint8Array): Buffer {
  return desEncryptRaw(key8, block);
}

/** DES with a 7-byte key, as MS-CHAP's DesEncrypt(Clear, Key, Cypher) uses it. */
export function desEncrypt7(key7: Uint8Array, block: Uint8Array): Buffer {
  return desEncryptBlock(expandDesKey(key7), block);
}
