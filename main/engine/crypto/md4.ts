// MD4 (RFC 1320), carried here because Node 20's OpenSSL 3 keeps it in the legacy provider and
// Electron's BoringSSL lacks it. Only the NT password hash (RFC 2759) needs it; inputs are tiny,
// so clarity beats speed.

const S1 = [3, 7, 11, 19] as const;
const S2 = [3, 5, 9, 13] as const;
const S3 = [3, 9, 11, 15] as const;
// Round 3 visits the words in bit-reversed order (RFC 1320 §3.4).
const R3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15] as const;

function rotl(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

/** MD4 digest (16 bytes) of `data`. */
export function md4(data: Uint8Array): Buffer {
  // Padding (RFC 1320 §3.1–3.2): 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
  const padded = Buffer.alloc((((data.length + 8) >>> 6) + 1) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const bits = data.length * 8;
  padded.writeUInt32LE(bits >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(bits / 0x1_0000_0000) >>> 0, padded.length - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Uint32Array(16);

  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(off + i * 4);
    const word = (i: number): number => x[i] ?? 0;
    const [aa, bb, cc, dd] = [a, b, c, d];

    for (let i = 0; i < 16; i++) {
      const f = (b & c) | (~b & d);
      const t = rotl((a + f + word(i)) >>> 0, S1[i % 4] ?? 0);
      [a, b, c, d] = [d, t, b, c];
    }
    for (let i = 0; i < 16; i++) {
      const g = (b & c) | (b & d) | (c & d);
      const k = (i % 4) * 4 + (i >> 2);
      const t = rotl((a + g + word(k) + 0x5a827999) >>> 0, S2[i % 4] ?? 0);
      [a, b, c, d] = [d, t, b, c];
    }
    for (let i = 0; i < 16; i++) {
      const h = b ^ c ^ d;
      const t = rotl((a + h + word(R3_ORDER[i] ?? 0) + 0x6ed9eba1) >>> 0, S3[i % 4] ?? 0);
      [a, b, c, d] = [d, t, b, c];
    }

    a = (a + aa) >>> 0;
    b = (b + bb) >>> 0;
    c = (c + cc) >>> 0;
    d = (d + dd) >>> 0;
  }

  const out = Buffer.alloc(16);
  out.writeUInt32LE(a, 0);
  out.writeUInt32LE(b, 4);
  out.writeUInt32LE(c, 8);
  out.writeUInt32LE(d, 12);
  return out;
}
