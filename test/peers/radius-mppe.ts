// MS-MPPE-Send-Key / MS-MPPE-Recv-Key (RFC 2548 §2.4.2–2.4.3): Microsoft vendor attributes in an
// Access-Accept carrying the keys the NAS (we) encrypts with, hidden with the shared secret.
import { createHash, randomBytes } from 'node:crypto';
import { ATTR, type RadiusPacket } from './radius-packet.js';

export const VENDOR_MICROSOFT = 311;
export const MS_MPPE_SEND_KEY = 16;
export const MS_MPPE_RECV_KEY = 17;

export type MppeKeys =
  { readonly ok: true; readonly send: Buffer; readonly recv: Buffer } | { readonly ok: false; readonly why: string };

/** Both keys from an Access-Accept (answering a request with `requestAuthenticator`). */
export function mppeKeys(p: RadiusPacket, requestAuthenticator: Buffer, secret: string): MppeKeys {
  const send = microsoftAttribute(p, MS_MPPE_SEND_KEY);
  const recv = microsoftAttribute(p, MS_MPPE_RECV_KEY);
  if (send === undefined || recv === undefined)
    return { ok: false, why: 'Access-Accept without MS-MPPE-Send-Key and MS-MPPE-Recv-Key' };
  const s = decryptMppeKey(send, requestAuthenticator, secret);
  const r = decryptMppeKey(recv, requestAuthenticator, secret);
  if (!s.ok) return { ok: false, why: `MS-MPPE-Send-Key: ${s.why}` };
  if (!r.ok) return { ok: false, why: `MS-MPPE-Recv-Key: ${r.why}` };
  return { ok: true, send: s.key, recv: r.key };
}

/*
 * Vendor-Specific (26): Vendor-Id (4) · then Vendor-Type (1) · Vendor-Length (1, counts both) · value.
 */
function microsoftAttribute(p: RadiusPacket, vendorType: number): Buffer | undefined {
  for (const a of p.attributes) {
    if (a.type !== ATTR.VENDOR_SPECIFIC || a.value.length < 6 || a.value.readUInt32BE(0) !== VENDOR_MICROSOFT) continue;
    let at = 4;
    while (at + 2 <= a.value.length) {
      const t = a.value[at] ?? 0;
      const len = a.value[at + 1] ?? 0;
      if (len < 2 || at + len > a.value.length) break;
      if (t === vendorType) return a.value.subarray(at + 2, at + len);
      at += len;
    }
  }
  return undefined;
}

type KeyResult = { readonly ok: true; readonly key: Buffer } | { readonly ok: false; readonly why: string };

/*
 * value = Salt (2, high bit set) · String, String = c(1) ‖ c(2) ‖ … with
 *   b(1) = MD5(S ‖ R ‖ A), c(1) = p(1) ⊕ b(1),  b(i) = MD5(S ‖ c(i-1)), c(i) = p(i) ⊕ b(i)
 * S the shared secret, R the Request Authenticator, A the salt; the plaintext P is
 * Key-Length (1) ‖ Key ‖ zero padding to a multiple of 16.
 */
export function decryptMppeKey(value: Buffer, requestAuthenticator: Buffer, secret: string): KeyResult {
  if (value.length < 2 + 16 || (value.length - 2) % 16 !== 0)
    return { ok: false, why: `${value.length} bytes is not salt + n·16` };
  const salt = value.subarray(0, 2);
  if (((salt[0] ?? 0) & 0x80) === 0) return { ok: false, why: 'salt without its high bit (RFC 2548 §2.4.2)' };
  const c = value.subarray(2);
  const p = Buffer.alloc(c.length);
  let prev: Buffer = Buffer.concat([requestAuthenticator, salt]);
  for (let at = 0; at < c.length; at += 16) {
    const b = createHash('md5').update(secret, 'utf8').update(prev).digest();
    for (let i = 0; i < 16; i++) p[at + i] = (c[at + i] ?? 0) ^ (b[i] ?? 0);
    prev = c.subarray(at, at + 16);
  }
  const keyLength = p[0] ?? 0;
  if (keyLength === 0 || 1 + keyLength > p.length)
    return { ok: false, why: `key length ${keyLength} does not fit ${p.length - 1} bytes (wrong secret?)` };
  return { ok: true, key: Buffer.from(p.subarray(1, 1 + keyLength)) };
}

/** The inverse, for the codec's own round-trip test (a server's side of RFC 2548). */
export function encryptMppeKey(
  key: Buffer,
  requestAuthenticator: Buffer,
  secret: string,
  salt: Buffer = saltBytes(),
): Buffer {
  const plainLength = Math.ceil((1 + key.length) / 16) * 16;
  const p = Buffer.alloc(plainLength);
  p[0] = key.length;
  key.copy(p, 1);
  const c = Buffer.alloc(plainLength);
  let prev: Buffer = Buffer.concat([requestAuthenticator, salt]);
  for (let at = 0; at < plainLength; at += 16) {
    const b = createHash('md5').update(secret, 'utf8').update(prev).digest();
    for (let i = 0; i < 16; i++) c[at + i] = (p[at + i] ?? 0) ^ (b[i] ?? 0);
    prev = c.subarray(at, at + 16);
  }
  return Buffer.concat([salt, c]);
}

function saltBytes(): Buffer {
  const s = randomBytes(2);
  s[0] = (s[0] ?? 0) | 0x80;
  return s;
}
