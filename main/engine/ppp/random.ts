// Randomness is injected so tests can script Magic-Numbers and interface identifiers.
import { randomBytes } from 'node:crypto';

export type RandomBytes = (n: number) => Buffer;

export const cryptoRandom: RandomBytes = (n) => randomBytes(n);

export function randomNonZeroU32(random: RandomBytes): number {
  for (;;) {
    const v = random(4).readUInt32BE(0);
    if (v !== 0) return v;
  }
}

/** `n` random bytes, not all zero, and different from each of `avoid`. */
export function randomNonZeroBytes(random: RandomBytes, n: number, avoid: readonly Buffer[] = []): Buffer {
  for (;;) {
    const v = Buffer.from(random(n));
    if (v.some((b) => b !== 0) && !avoid.some((a) => a.equals(v))) return v;
  }
}
