// Checks a client's CALL_CONNECTED the way a strict server does (accel-ppp, Windows RRAS). Written
// here from MS-SSTP §2.2.7 and §3.2.5.2 independently of the engine's crypto-binding module, so a
// mistake there cannot agree with itself.
import { createHash, createHmac } from 'node:crypto';

export interface BindingExpectation {
  /** The HLAK as the server computes it (zeros for PAP/CHAP). */
  readonly hlak: Buffer;
  readonly nonce: Buffer;
  /** DER of the certificate the server presented. */
  readonly certDer: Buffer;
  readonly offeredBitmask: number;
}

export type BindingVerdict =
  | { readonly ok: true; readonly hash: 'sha1' | 'sha256' }
  | { readonly ok: false; readonly reason: string; readonly hash?: 'sha1' | 'sha256' };

/*
 * 0 10 01 00 70 · 4 00 04 (CALL_CONNECTED) · 6 00 01 (one attribute)
 * 8 00 03 00 68 (CRYPTO_BINDING, 104) · 12 reserved 00 00 00 · 15 hash protocol
 * 16 nonce (32) · 48 cert hash (32) · 80 compound MAC (32)
 */
export function verifyBinding(packet: Buffer, expect: BindingExpectation): BindingVerdict {
  const head = Buffer.from('1001007000040001000300680000', 'hex');
  if (packet.length !== 112) return { ok: false, reason: `CALL_CONNECTED is ${packet.length} bytes, must be 112` };
  if (!packet.subarray(0, 14).equals(head) || packet[14] !== 0) {
    return {
      ok: false,
      reason: `CALL_CONNECTED header/attribute bytes ${packet.subarray(0, 15).toString('hex')} are not the fixed layout`,
    };
  }
  const proto = packet[15];
  const hash = proto === 2 ? 'sha256' : proto === 1 ? 'sha1' : undefined;
  if (hash === undefined) return { ok: false, reason: `hash protocol ${proto} is neither SHA-1 (1) nor SHA-256 (2)` };
  if ((expect.offeredBitmask & (proto ?? 0)) === 0)
    return { ok: false, hash, reason: `hash protocol ${hash} was not offered (bitmask ${expect.offeredBitmask})` };
  if (hash === 'sha1' && (expect.offeredBitmask & 2) !== 0) {
    return { ok: false, hash, reason: 'SHA-1 chosen although SHA-256 was offered' };
  }
  const size = hash === 'sha256' ? 32 : 20;
  if (!packet.subarray(16, 48).equals(expect.nonce))
    return { ok: false, hash, reason: 'nonce is not the one sent in CALL_CONNECT_ACK' };
  const certHash = packet.subarray(48, 80);
  const wantCert = createHash(hash).update(expect.certDer).digest();
  if (!certHash.subarray(0, size).equals(wantCert))
    return { ok: false, hash, reason: 'certificate hash is not the hash of the certificate this server presented' };
  if (!isZero(certHash.subarray(size))) return { ok: false, hash, reason: 'certificate hash padding is not zero' };
  const mac = packet.subarray(80, 112);
  // CMK = HMAC-H(HLAK, "SSTP inner method derived CMK" ‖ LEN (2 bytes little-endian) ‖ 0x01).
  const seed = Buffer.concat([Buffer.from('SSTP inner method derived CMK', 'ascii'), Buffer.of(size, 0, 1)]);
  const cmk = createHmac(hash, expect.hlak).update(seed).digest();
  const zeroed = Buffer.from(packet);
  zeroed.fill(0, 80);
  const wantMac = createHmac(hash, cmk).update(zeroed).digest();
  if (!mac.subarray(0, size).equals(wantMac))
    return {
      ok: false,
      hash,
      reason: "compound MAC is wrong (HLAK differs from the server's, or the packet was altered)",
    };
  if (!isZero(mac.subarray(size))) return { ok: false, hash, reason: 'compound MAC padding is not zero' };
  return { ok: true, hash };
}

function isZero(b: Buffer): boolean {
  return b.every((x) => x === 0);
}
