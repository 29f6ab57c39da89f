// SSTP crypto binding (MS-SSTP §3.2.5.2): ties the TLS server certificate and the PPP authentication
// keys together in CALL_CONNECTED, so a man in the middle cannot relay the inner PPP authentication.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CryptoBindingAttribute } from './attributes.js';
import { BINDING_FIELD_LENGTH, HASH_PROTOCOL_SHA1, HASH_PROTOCOL_SHA256, NONCE_LENGTH } from './constants.js';
import { callConnected, decodeControlPacket, encodeControlPacket, findAttribute } from './control-packet.js';
import { describeDecodeError } from '../bytes.js';

export type BindingHash = 'sha1' | 'sha256';

export const HLAK_LENGTH = 32;
export const CALL_CONNECTED_LENGTH = 112;
/*
 * CALL_CONNECTED (112 bytes, MS-SSTP §2.2.11):
 *   0  header 10 01 00 70 · 4 type 00 04 · 6 count 00 01
 *   8  attribute header 00 03 00 68 · 12 reserved (3) · 15 hash protocol
 *   16 nonce (32) · 48 cert hash (32) · 80 compound MAC (32)
 */
export const CALL_CONNECTED_MAC_OFFSET = 80;

const CMK_SEED = Buffer.from('SSTP inner method derived CMK', 'ascii');

export function hashProtocolValue(hash: BindingHash): number {
  return hash === 'sha256' ? HASH_PROTOCOL_SHA256 : HASH_PROTOCOL_SHA1;
}

export function bindingHashFromValue(value: number): BindingHash | undefined {
  if (value === HASH_PROTOCOL_SHA256) return 'sha256';
  if (value === HASH_PROTOCOL_SHA1) return 'sha1';
  return undefined;
}

/** SHA-256 whenever the server offers it; SHA-1 only when that is all it offers. */
export function chooseBindingHash(bitmask: number): BindingHash | undefined {
  if (bitmask & HASH_PROTOCOL_SHA256) return 'sha256';
  if (bitmask & HASH_PROTOCOL_SHA1) return 'sha1';
  return undefined;
}

function digestLength(hash: BindingHash): number {
  return hash === 'sha256' ? 32 : 20;
}

function padTo32(b: Buffer): Buffer {
  if (b.length === BINDING_FIELD_LENGTH) return b;
  const out = Buffer.alloc(BINDING_FIELD_LENGTH);
  b.copy(out);
  return out;
}

/**
 * CMK = HMAC-H(HLAK, "SSTP inner method derived CMK" ‖ LEN ‖ 0x01), LEN = digest length as 2 bytes
 * little-endian (the first block of the spec's PRF+; one block is always enough).
 */
export function deriveCmk(hlak: Buffer, hash: BindingHash): Buffer {
  requireLength('HLAK', hlak, HLAK_LENGTH);
  const len = Buffer.alloc(2);
  len.writeUInt16LE(digestLength(hash));
  return createHmac(hash, hlak).update(CMK_SEED).update(len).update(Buffer.of(0x01)).digest();
}

/** H(leaf certificate DER), zero-padded to 32 bytes for SHA-1. */
export function certificateHash(certDer: Buffer, hash: BindingHash): Buffer {
  return padTo32(createHash(hash).update(certDer).digest());
}

/** HMAC-H(CMK, packet), zero-padded to 32; `packet` is the whole CALL_CONNECTED with the MAC zeroed. */
export function compoundMac(cmk: Buffer, hash: BindingHash, packetWithZeroMac: Buffer): Buffer {
  return padTo32(createHmac(hash, cmk).update(packetWithZeroMac).digest());
}

export interface SealInput {
  readonly hlak: Buffer;
  readonly hash: BindingHash;
  readonly nonce: Buffer;
  /** Already hashed and padded to 32 bytes (see certificateHash). */
  readonly certHash: Buffer;
}

/** The complete 112-byte CALL_CONNECTED packet with its compound MAC filled in. */
export function sealCallConnected(input: SealInput): Buffer {
  requireLength('nonce', input.nonce, NONCE_LENGTH);
  requireLength('cert hash', input.certHash, BINDING_FIELD_LENGTH);
  const binding: CryptoBindingAttribute = {
    kind: 'CRYPTO_BINDING',
    hashProtocol: hashProtocolValue(input.hash),
    nonce: input.nonce,
    certHash: input.certHash,
    compoundMac: Buffer.alloc(BINDING_FIELD_LENGTH),
  };
  const packet = encodeControlPacket(callConnected(binding));
  const mac = compoundMac(deriveCmk(input.hlak, input.hash), input.hash, packet);
  mac.copy(packet, CALL_CONNECTED_MAC_OFFSET);
  return packet;
}

export interface CallConnectedInput {
  /** 32 bytes; see AuthResult.hlak. */
  readonly hlak: Buffer;
  /** The 32-byte nonce from the server's CRYPTO_BINDING_REQ. */
  readonly nonce: Buffer;
  /** DER of the server's leaf certificate as seen in the TLS handshake. */
  readonly certDer: Buffer;
  readonly hash: BindingHash;
}

export function buildCallConnected(input: CallConnectedInput): Buffer {
  return sealCallConnected({
    hlak: input.hlak,
    hash: input.hash,
    nonce: input.nonce,
    certHash: certificateHash(input.certDer, input.hash),
  });
}

export interface BindingExpectation {
  /** The HLAK the client should have used (client order: send key ‖ receive key). */
  readonly hlak: Buffer;
  /** The nonce we sent in CRYPTO_BINDING_REQ. */
  readonly nonce: Buffer;
  /** DER of the certificate we presented. */
  readonly certDer: Buffer;
  /** The bitmask we offered; a binding with a hash outside it is refused. Default: both. */
  readonly offeredBitmask?: number;
}

export type BindingField = 'packet' | 'hashProtocol' | 'nonce' | 'certHash' | 'compoundMac';

export type BindingCheck =
  | { readonly ok: true; readonly hash: BindingHash }
  | { readonly ok: false; readonly field: BindingField; readonly reason: string };

/**
 * Verifies a received CALL_CONNECTED the way a strict server does (accel-ppp, Windows RRAS): the
 * packet shape, the echoed nonce, the certificate hash and the compound MAC over the received bytes.
 * Never throws on bad bytes.
 */
export function verifyCallConnected(packet: Buffer, expect: BindingExpectation): BindingCheck {
  const decoded = decodeControlPacket(packet);
  if (!decoded.ok) return { ok: false, field: 'packet', reason: describeDecodeError(decoded.error) };
  const msg = decoded.value;
  if (msg.type !== 'CALL_CONNECTED') return { ok: false, field: 'packet', reason: `${msg.type} is not CALL_CONNECTED` };
  const binding = findAttribute(msg, 'CRYPTO_BINDING');
  if (binding === undefined || msg.attributes.length !== 1 || packet.length !== CALL_CONNECTED_LENGTH) {
    return { ok: false, field: 'packet', reason: 'CALL_CONNECTED must carry exactly one CRYPTO_BINDING attribute' };
  }
  const hash = bindingHashFromValue(binding.hashProtocol);
  const offered = expect.offeredBitmask ?? HASH_PROTOCOL_SHA1 | HASH_PROTOCOL_SHA256;
  if (hash === undefined || (offered & binding.hashProtocol) === 0) {
    return { ok: false, field: 'hashProtocol', reason: `hash protocol ${binding.hashProtocol} was not offered` };
  }
  if (!sameBytes(binding.nonce, expect.nonce))
    return { ok: false, field: 'nonce', reason: 'nonce does not match the one sent' };
  if (!sameBytes(binding.certHash, certificateHash(expect.certDer, hash))) {
    return { ok: false, field: 'certHash', reason: 'certificate hash does not match the server certificate' };
  }
  const zeroed = Buffer.from(packet);
  zeroed.fill(0, CALL_CONNECTED_MAC_OFFSET);
  const expected = compoundMac(deriveCmk(expect.hlak, hash), hash, zeroed);
  if (!sameBytes(binding.compoundMac, expected)) {
    return { ok: false, field: 'compoundMac', reason: 'compound MAC is wrong (different HLAK or tampered packet)' };
  }
  return { ok: true, hash };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function requireLength(name: string, b: Buffer, n: number): void {
  if (b.length !== n) throw new RangeError(`${name} is ${b.length} bytes, must be ${n}`);
}
