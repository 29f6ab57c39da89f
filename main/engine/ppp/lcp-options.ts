// LCP configuration option numbers and the Authentication-Protocol option (RFC 1661 §6, RFC 1994,
// RFC 2759, RFC 3748), with their pppd-style trace text.
import { EAP_METHODS } from '../config.js';
import type { AuthMethod } from '../config.js';
import { CHAP_MD5, CHAP_MSCHAPV2, PPP_CHAP, PPP_EAP, PPP_PAP } from './protocols.js';
import { u16Of, u32Of } from './options.js';
import type { ConfigOption } from './options.js';

export const LCP_MRU = 1;
export const LCP_ACCM = 2;
export const LCP_AUTH = 3;
export const LCP_QUALITY = 4;
export const LCP_MAGIC = 5;
export const LCP_PFC = 7;
export const LCP_ACFC = 8;
export const LCP_CALLBACK = 13;
export const LCP_MRRU = 17;
export const LCP_ENDPOINT = 19;

const CHAP_MSCHAPV1 = 0x80;

/** What the peer asks for in an Authentication-Protocol option. */
export type AuthOffer =
  { readonly kind: 'method'; readonly method: AuthMethod } | { readonly kind: 'unsupported'; readonly label: string };

// RFC 1661 §6.2:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |    Length     |     Authentication-Protocol   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |    Data ...   (CHAP: one Algorithm octet, RFC 1994 §3; 0x05 MD5, 0x81 MS-CHAPv2)
// LCP only says "EAP": with `allowed`, it stands for the profile's first allowed EAP method (the
// method itself is chosen within EAP); without, for EAP-MSCHAPv2.
export function readAuthOffer(o: ConfigOption, allowed: readonly AuthMethod[] = []): AuthOffer | undefined {
  if (o.data.length < 2) return undefined;
  const protocol = o.data.readUInt16BE(0);
  const rest = o.data.length - 2;
  if (protocol === PPP_PAP && rest === 0) return { kind: 'method', method: 'pap' };
  if (protocol === PPP_EAP && rest === 0)
    return { kind: 'method', method: allowed.find((m) => EAP_METHODS.has(m)) ?? 'eap-mschapv2' };
  if (protocol === PPP_CHAP && rest === 1) {
    const alg = o.data[2];
    if (alg === CHAP_MD5) return { kind: 'method', method: 'chap' };
    if (alg === CHAP_MSCHAPV2) return { kind: 'method', method: 'mschapv2' };
    if (alg === CHAP_MSCHAPV1) return { kind: 'unsupported', label: 'MS-CHAP (version 1)' };
    return { kind: 'unsupported', label: `CHAP with algorithm 0x${(alg ?? 0).toString(16)}` };
  }
  return { kind: 'unsupported', label: `authentication protocol 0x${protocol.toString(16).padStart(4, '0')}` };
}

export function authOption(method: AuthMethod): ConfigOption {
  switch (method) {
    case 'pap':
      return { type: LCP_AUTH, data: u16(PPP_PAP) };
    case 'chap':
      return { type: LCP_AUTH, data: Buffer.from([PPP_CHAP >> 8, PPP_CHAP & 0xff, CHAP_MD5]) };
    case 'mschapv2':
      return { type: LCP_AUTH, data: Buffer.from([PPP_CHAP >> 8, PPP_CHAP & 0xff, CHAP_MSCHAPV2]) };
    case 'eap-mschapv2':
    case 'eap-tls':
    case 'eap-peap':
      return { type: LCP_AUTH, data: u16(PPP_EAP) };
  }
}

/** The name a person knows a method by. */
export function methodName(method: AuthMethod): string {
  switch (method) {
    case 'pap':
      return 'PAP';
    case 'chap':
      return 'CHAP';
    case 'mschapv2':
      return 'MS-CHAPv2';
    case 'eap-mschapv2':
      return 'EAP-MSCHAPv2';
    case 'eap-tls':
      return 'EAP-TLS';
    case 'eap-peap':
      return 'PEAP';
  }
}

/** How an offer reads to a person: EAP is offered at LCP without its inner method. */
export function offerName(offer: AuthOffer): string {
  if (offer.kind === 'unsupported') return offer.label;
  return EAP_METHODS.has(offer.method) ? 'EAP' : methodName(offer.method);
}

function u16(v: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(v);
  return b;
}

/** Trace text for one LCP option, pppd style; undefined when it does not parse (shown as hex). */
export function formatLcpOption(o: ConfigOption): string | undefined {
  switch (o.type) {
    case LCP_MRU: {
      const v = u16Of(o);
      return v === undefined ? undefined : `mru ${v}`;
    }
    case LCP_ACCM: {
      const v = u32Of(o);
      return v === undefined ? undefined : `asyncmap 0x${v.toString(16)}`;
    }
    case LCP_AUTH: {
      if (o.data.length < 2) return undefined;
      const protocol = o.data.readUInt16BE(0);
      if (protocol === PPP_PAP && o.data.length === 2) return 'auth pap';
      if (protocol === PPP_EAP && o.data.length === 2) return 'auth eap';
      if (protocol === PPP_CHAP && o.data.length === 3) {
        const alg = o.data[2];
        const name =
          alg === CHAP_MD5
            ? 'MD5'
            : alg === CHAP_MSCHAPV2
              ? 'MS-v2'
              : alg === CHAP_MSCHAPV1
                ? 'MS'
                : `0x${(alg ?? 0).toString(16)}`;
        return `auth chap ${name}`;
      }
      return `auth 0x${protocol.toString(16)}${o.data.length > 2 ? ` ${o.data.subarray(2).toString('hex')}` : ''}`;
    }
    case LCP_MAGIC: {
      const v = u32Of(o);
      return v === undefined ? undefined : `magic 0x${v.toString(16)}`;
    }
    case LCP_PFC:
      return o.data.length === 0 ? 'pcomp' : undefined;
    case LCP_ACFC:
      return o.data.length === 0 ? 'accomp' : undefined;
    case LCP_CALLBACK:
      return o.data.length >= 1
        ? `callback ${o.data[0] === 6 ? 'CBCP' : `0x${(o.data[0] ?? 0).toString(16)}`}`
        : undefined;
    case LCP_MRRU: {
      const v = u16Of(o);
      return v === undefined ? undefined : `mrru ${v}`;
    }
    case LCP_ENDPOINT:
      return o.data.length >= 1
        ? `endpoint class ${o.data[0]}${o.data.length > 1 ? ` ${o.data.subarray(1).toString('hex')}` : ''}`
        : undefined;
    default:
      return undefined;
  }
}
