// The DES block cipher (FIPS 46-3), encryption only: MS-CHAP's ChallengeResponse (RFC 2759 §8.5) is its
// one user and never decrypts. Carried here because Node 20's OpenSSL 3 keeps DES in the legacy provider
// and Electron's BoringSSL may lack it, and node-forge (which did it before) adds ~10 MB of RSS to a bare Node.
// Three blocks per authentication, so the code follows the standard's tables bit for bit, on BigInt, and
// clarity beats speed. Tables use the standard's numbering: bit 1 is the most significant bit.

// Initial permutation IP (FIPS 46-3). Its inverse IP⁻¹ is derived below rather than typed.
// prettier-ignore
const IP = [
  58, 50, 42, 34, 26, 18, 10,  2,
  60, 52, 44, 36, 28, 20, 12,  4,
  62, 54, 46, 38, 30, 22, 14,  6,
  64, 56, 48, 40, 32, 24, 16,  8,
  57, 49, 41, 33, 25, 17,  9,  1,
  59, 51, 43, 35, 27, 19, 11,  3,
  61, 53, 45, 37, 29, 21, 13,  5,
  63, 55, 47, 39, 31, 23, 15,  7,
] as const;

const IP_INVERSE: readonly number[] = (() => {
  const inv = new Array<number>(64).fill(0);
  IP.forEach((from, to) => (inv[from - 1] = to + 1));
  return inv;
})();

// Expansion E: the 32-bit half to 48 bits.
// prettier-ignore
const E = [
  32,  1,  2,  3,  4,  5,
   4,  5,  6,  7,  8,  9,
   8,  9, 10, 11, 12, 13,
  12, 13, 14, 15, 16, 17,
  16, 17, 18, 19, 20, 21,
  20, 21, 22, 23, 24, 25,
  24, 25, 26, 27, 28, 29,
  28, 29, 30, 31, 32,  1,
] as const;

// Permutation P applied to the S-boxes' 32-bit output.
// prettier-ignore
const P = [
  16,  7, 20, 21,
  29, 12, 28, 17,
   1, 15, 23, 26,
   5, 18, 31, 10,
   2,  8, 24, 14,
  32, 27,  3,  9,
  19, 13, 30,  6,
  22, 11,  4, 25,
] as const;

// Key schedule: Permuted Choice 1 drops the 8 parity bits, Permuted Choice 2 picks 48 of 56.
// prettier-ignore
const PC1 = [
  57, 49, 41, 33, 25, 17,  9,
   1, 58, 50, 42, 34, 26, 18,
  10,  2, 59, 51, 43, 35, 27,
  19, 11,  3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15,
   7, 62, 54, 46, 38, 30, 22,
  14,  6, 61, 53, 45, 37, 29,
  21, 13,  5, 28, 20, 12,  4,
] as const;
// prettier-ignore
const PC2 = [
  14, 17, 11, 24,  1,  5,
   3, 28, 15,  6, 21, 10,
  23, 19, 12,  4, 26,  8,
  16,  7, 27, 20, 13,  2,
  41, 52, 31, 37, 47, 55,
  30, 40, 51, 45, 33, 48,
  44, 49, 39, 56, 34, 53,
  46, 42, 50, 36, 29, 32,
] as const;
// Left shifts of C and D before each of the 16 rounds.
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1] as const;

// S-boxes S1..S8, each 4 rows of 16, row-major.
// prettier-ignore
const S_BOXES: readonly (readonly number[])[] = [
  [
    14,  4, 13,  1,  2, 15, 11,  8,  3, 10,  6, 12,  5,  9,  0,  7,
     0, 15,  7,  4, 14,  2, 13,  1, 10,  6, 12, 11,  9,  5,  3,  8,
     4,  1, 14,  8, 13,  6,  2, 11, 15, 12,  9,  7,  3, 10,  5,  0,
    15, 12,  8,  2,  4,  9,  1,  7,  5, 11,  3, 14, 10,  0,  6, 13,
  ],
  [
    15,  1,  8, 14,  6, 11,  3,  4,  9,  7,  2, 13, 12,  0,  5, 10,
     3, 13,  4,  7, 15,  2,  8, 14, 12,  0,  1, 10,  6,  9, 11,  5,
     0, 14,  7, 11, 10,  4, 13,  1,  5,  8, 12,  6,  9,  3,  2, 15,
    13,  8, 10,  1,  3, 15,  4,  2, 11,  6,  7, 12,  0,  5, 14,  9,
  ],
  [
    10,  0,  9, 14,  6,  3, 15,  5,  1, 13, 12,  7, 11,  4,  2,  8,
    13,  7,  0,  9,  3,  4,  6, 10,  2,  8,  5, 14, 12, 11, 15,  1,
    13,  6,  4,  9,  8, 15,  3,  0, 11,  1,  2, 12,  5, 10, 14,  7,
     1, 10, 13,  0,  6,  9,  8,  7,  4, 15, 14,  3, 11,  5,  2, 12,
  ],
  [
     7, 13, 14,  3,  0,  6,  9, 10,  1,  2,  8,  5, 11, 12,  4, 15,
    13,  8, 11,  5,  6, 15,  0,  3,  4,  7,  2, 12,  1, 10, 14,  9,
    10,  6,  9,  0, 12, 11,  7, 13, 15,  1,  3, 14,  5,  2,  8,  4,
     3, 15,  0,  6, 10,  1, 13,  8,  9,  4,  5, 11, 12,  7,  2, 14,
  ],
  [
     2, 12,  4,  1,  7, 10, 11,  6,  8,  5,  3, 15, 13,  0, 14,  9,
    14, 11,  2, 12,  4,  7, 13,  1,  5,  0, 15, 10,  3,  9,  8,  6,
     4,  2,  1, 11, 10, 13,  7,  8, 15,  9, 12,  5,  6,  3,  0, 14,
    11,  8, 12,  7,  1, 14,  2, 13,  6, 15,  0,  9, 10,  4,  5,  3,
  ],
  [
    12,  1, 10, 15,  9,  2,  6,  8,  0, 13,  3,  4, 14,  7,  5, 11,
    10, 15,  4,  2,  7, 12,  9,  5,  6,  1, 13, 14,  0, 11,  3,  8,
     9, 14, 15,  5,  2,  8, 12,  3,  7,  0,  4, 10,  1, 13, 11,  6,
     4,  3,  2, 12,  9,  5, 15, 10, 11, 14,  1,  7,  6,  0,  8, 13,
  ],
  [
     4, 11,  2, 14, 15,  0,  8, 13,  3, 12,  9,  7,  5, 10,  6,  1,
    13,  0, 11,  7,  4,  9,  1, 10, 14,  3,  5, 12,  2, 15,  8,  6,
     1,  4, 11, 13, 12,  3,  7, 14, 10, 15,  6,  8,  0,  5,  9,  2,
     6, 11, 13,  8,  1,  4, 10,  7,  9,  5,  0, 15, 14,  2,  3, 12,
  ],
  [
    13,  2,  8,  4,  6, 15, 11,  1, 10,  9,  3, 14,  5,  0, 12,  7,
     1, 15, 13,  8, 10,  3,  7,  4, 12,  5,  6, 11,  0, 14,  9,  2,
     7, 11,  4,  1,  9, 12, 14,  2,  0,  6, 10, 13, 15,  3,  5,  8,
     2,  1, 14,  7,  4, 10,  8, 13, 15, 12,  9,  0,  3,  5,  6, 11,
  ],
];

const MASK28 = (1n << 28n) - 1n;
const MASK32 = (1n << 32n) - 1n;

/** Output bit i is input bit table[i] (1 = most significant of `width` bits), as the standard writes it. */
function permute(x: bigint, width: number, table: readonly number[]): bigint {
  let out = 0n;
  for (const from of table) out = (out << 1n) | ((x >> BigInt(width - from)) & 1n);
  return out;
}

function rotateLeft28(x: bigint, n: number): bigint {
  return ((x << BigInt(n)) | (x >> BigInt(28 - n))) & MASK28;
}

/** K1..K16, 48 bits each, from the 64-bit key (parity bits ignored, as PC-1 drops them). */
function keySchedule(key: bigint): bigint[] {
  const cd = permute(key, 64, PC1);
  let c = cd >> 28n;
  let d = cd & MASK28;
  return SHIFTS.map((shift) => {
    c = rotateLeft28(c, shift);
    d = rotateLeft28(d, shift);
    return permute((c << 28n) | d, 56, PC2);
  });
}

/** The cipher function f(R, K): expand, mix in the subkey, substitute through S1..S8, permute. */
function feistel(r: bigint, subkey: bigint): bigint {
  const x = permute(r, 32, E) ^ subkey;
  let out = 0n;
  S_BOXES.forEach((box, i) => {
    const six = Number((x >> BigInt(42 - 6 * i)) & 0x3fn);
    // The outer bits pick the row, the middle four the column.
    const row = ((six & 0x20) >> 4) | (six & 1);
    const column = (six >> 1) & 0xf;
    const value = box[row * 16 + column];
    if (value === undefined) throw new RangeError('DES S-box index out of range');
    out = (out << 4n) | BigInt(value);
  });
  return permute(out, 32, P);
}

const toBigInt = (bytes: Uint8Array): bigint => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

/** Encrypts one 8-byte block with an 8-byte key (FIPS 46-3 §"Enciphering"). Both must be 8 bytes. */
export function desEncryptRaw(key8: Uint8Array, block: Uint8Array): Buffer {
  if (key8.length !== 8 || block.length !== 8) throw new RangeError('DES takes an 8-byte key and an 8-byte block');
  const ip = permute(toBigInt(block), 64, IP);
  let l = ip >> 32n;
  let r = ip & MASK32;
  for (const k of keySchedule(toBigInt(key8))) [l, r] = [r, l ^ feistel(r, k)];
  // The last round's halves are not swapped back: the preoutput is R16 L16.
  const out = permute((r << 32n) | l, 64, IP_INVERSE);
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(out);
  return buf;
}
