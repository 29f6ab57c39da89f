// PEAPv0 cryptobinding ([MS-PEAP] §2.2.8.2, §3.1.5.5–3.1.5.7): proof that the inner EAP-MSCHAPv2
// and the TLS tunnel were run by the same two parties, and the MSK that then replaces the plain
// TLS one. Windows NPS sends a Crypto-Binding TLV with its Result; so does hostapd's PEAP server.
//   TempKey   = first 40 octets of TK = TLS-PRF(master, "client EAP encryption", randoms)
//   IPMK‖CMK  = PRF+(TempKey, "Inner Methods Compound Keys" ‖ ISK, 60)   (ISK: inner MSK, 32 octets)
//   Compound MAC = HMAC-SHA1(CMK, Crypto-Binding TLV with its MAC zeroed ‖ EAP type 25)
//   MSK       = first 64 octets of PRF+(IPMK, "Session Key Generating Function" ‖ 0x00, 128)
// PRF+ (PEAPv0): T(n) = HMAC-SHA1(K, T(n-1) ‖ S ‖ n ‖ 0x00 0x00).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { encodeTlv, TLV_CRYPTO_BINDING } from './peap-tlv.js';

const IPMK_LABEL = 'Inner Methods Compound Keys';
const CSK_LABEL = 'Session Key Generating Function';
const EAP_TYPE_PEAP = 25;
const VALUE_SIZE = 56;
const SUBTYPE_REQUEST = 0;
const SUBTYPE_RESPONSE = 1;

export function prfPlus(key: Buffer, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let n = 1; out.length * 20 < length; n++) {
    t = createHmac('sha1', key)
      .update(t)
      .update(seed)
      .update(Buffer.of(n, 0, 0))
      .digest();
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

export interface BindingKeys {
  readonly ipmk: Buffer;
  readonly cmk: Buffer;
}

/** `tk`: at least 40 octets of the TLS key material; `isk`: the inner method's 32-octet MSK. */
export function bindingKeys(tk: Buffer, isk: Buffer): BindingKeys {
  const imck = prfPlus(tk.subarray(0, 40), Buffer.concat([Buffer.from(IPMK_LABEL, 'ascii'), isk]), 60);
  return { ipmk: imck.subarray(0, 40), cmk: imck.subarray(40, 60) };
}

/** The MSK once cryptobinding was used (what the server hands the NAS as MPPE keys). */
export function boundMsk(keys: BindingKeys): Buffer {
  return prfPlus(keys.ipmk, Buffer.concat([Buffer.from(CSK_LABEL, 'ascii'), Buffer.of(0)]), 128).subarray(0, 64);
}

export type BindingCheck =
  { readonly ok: true; readonly response: Buffer } | { readonly ok: false; readonly why: string };

/*
 * Value (56): Reserved · Version · RecvVersion · SubType (0 request, 1 response) · Nonce (32) · Compound MAC (20).
 * Checks the server's request and builds our response TLV (same nonce, SubType 1).
 */
export function answerBinding(value: Buffer, keys: BindingKeys): BindingCheck {
  if (value.length !== VALUE_SIZE)
    return { ok: false, why: `Crypto-Binding TLV of ${value.length} bytes, must be ${VALUE_SIZE}` };
  if (value[3] !== SUBTYPE_REQUEST)
    return { ok: false, why: `Crypto-Binding SubType ${value[3]}, expected a request (0)` };
  if (value[1] !== 0 || value[2] !== 0)
    return { ok: false, why: `Crypto-Binding for PEAP version ${value[1]}/${value[2]}, we run 0` };
  const theirs = Buffer.from(value.subarray(36, 56));
  const want = compoundMac(Buffer.concat([value.subarray(0, 36), Buffer.alloc(20)]), keys.cmk);
  if (!timingSafeEqual(want, theirs))
    return {
      ok: false,
      why: 'the Compound MAC does not match: tunnel and inner method were not run by the same server',
    };
  const ours = Buffer.concat([Buffer.of(0, 0, 0, SUBTYPE_RESPONSE), value.subarray(4, 36), Buffer.alloc(20)]);
  compoundMac(ours, keys.cmk).copy(ours, 36);
  return { ok: true, response: encodeTlv(TLV_CRYPTO_BINDING, false, ours) };
}

function compoundMac(valueWithZeroMac: Buffer, cmk: Buffer): Buffer {
  // The whole TLV (type and length too; the M bit is clear for PEAPv0) followed by the EAP type.
  return createHmac('sha1', cmk)
    .update(encodeTlv(TLV_CRYPTO_BINDING, false, valueWithZeroMac))
    .update(Buffer.of(EAP_TYPE_PEAP))
    .digest();
}
