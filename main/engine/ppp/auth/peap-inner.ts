// The conversation inside the PEAPv0 tunnel from the client's side: Identity, EAP-MSCHAPv2
// (the server must prove the password, as in plain EAP-MSCHAPv2), then the Extensions packet with
// the Result TLV ([MS-PEAP] §3.1.5.3–3.1.5.4). Pure and synchronous: TLS is the caller's business.
import type { Credentials } from '../../config.js';
import { eapMschapv2Msk } from '../../crypto/mppe-keys.js';
import type { SessionFailure } from '../../failure.js';
import { failure } from '../../failure.js';
import { CHAP_FAILURE, CHAP_SUCCESS, decodeChap, encodeChapResponse } from './chap-packet.js';
import {
  EAP_TYPE_IDENTITY,
  EAP_TYPE_MSCHAPV2,
  EAP_TYPE_NAK,
  EAP_TYPE_NOTIFICATION,
  eapTypeName,
} from './eap-packet.js';
import { serverNotProven } from './failures.js';
import { MSCHAPV2_CHALLENGE_SIZE, MsChapV2Exchange, type RandomSource } from './mschapv2-exchange.js';
import { answerBinding, bindingKeys, boundMsk } from './peap-binding.js';
import {
  EAP_TYPE_EXTENSIONS,
  RESULT_FAILURE,
  RESULT_SUCCESS,
  TLV_CRYPTO_BINDING,
  TLV_RESULT,
  decodeTlvs,
  encodeInner,
  resultTlv,
  type InnerRequest,
} from './peap-tlv.js';

export const PEAP_METHOD = 'PEAP (EAP-MSCHAPv2)';

export type InnerAction =
  | { readonly kind: 'reply'; readonly message: Buffer; readonly trace: string }
  /** Nothing to answer (a packet we drop); the outer layer sends an empty ACK. */
  | { readonly kind: 'ignore'; readonly why: string }
  /** Stop: `reply`, when present, still goes out first (our Result failure). */
  | { readonly kind: 'fail'; readonly failure: SessionFailure; readonly reply?: Buffer };

export class PeapInner {
  private readonly exchange: MsChapV2Exchange;
  /** The server's MS-CHAPv2 proof checked out. */
  private proven = false;
  private resultSuccess = false;
  private rejection: SessionFailure | undefined;
  /** The inner method's MSK (ISK) once MS-CHAPv2 succeeded, and the tunnel's TLS key material. */
  private isk: Buffer | undefined;
  private tk: Buffer | undefined;
  private bound: Buffer | undefined;

  constructor(
    private readonly credentials: Credentials,
    random?: RandomSource,
  ) {
    this.exchange = new MsChapV2Exchange(credentials, PEAP_METHOD, random);
  }

  /** Inner method proven and the server's Result TLV said success: outer EAP-Success may count. */
  get succeeded(): boolean {
    return this.proven && this.resultSuccess;
  }

  /** The tunnel is up: its TLS key material ("client EAP encryption", at least 40 octets) for cryptobinding. */
  tunnelKey(tk: Buffer): void {
    this.tk = Buffer.from(tk);
  }

  /** The MSK derived through cryptobinding, when the server asked for it; else the plain TLS one applies. */
  get boundMsk(): Buffer | undefined {
    return this.bound;
  }

  /** What the server's inner MS-CHAPv2 Failure meant, if it sent one. */
  get rejected(): SessionFailure | undefined {
    return this.rejection;
  }

  handle(req: InnerRequest): InnerAction {
    switch (req.type) {
      case EAP_TYPE_IDENTITY:
        return this.reply(req.id, EAP_TYPE_IDENTITY, Buffer.from(this.credentials.username, 'utf8'), 'inner Identity');
      case EAP_TYPE_NOTIFICATION:
        return this.reply(req.id, EAP_TYPE_NOTIFICATION, Buffer.alloc(0), 'inner Notification');
      case EAP_TYPE_MSCHAPV2:
        return this.msChapV2(req);
      case EAP_TYPE_EXTENSIONS:
        return this.extensions(req);
      default:
        return this.reply(
          req.id,
          EAP_TYPE_NAK,
          Buffer.of(EAP_TYPE_MSCHAPV2),
          `inner Nak ${eapTypeName(req.type)} -> MSCHAPv2`,
        );
    }
  }

  private msChapV2(req: InnerRequest): InnerAction {
    const d = decodeChap(req.data, 'PEAP inner EAP-MSCHAPv2 packet');
    if (!d.ok) return { kind: 'ignore', why: 'malformed inner EAP-MSCHAPv2 packet' };
    const p = d.value;
    switch (p.code) {
      case 'challenge': {
        if (p.value.length !== MSCHAPV2_CHALLENGE_SIZE)
          return { kind: 'ignore', why: `inner challenge of ${p.value.length} bytes` };
        const user = Buffer.from(this.credentials.username, 'utf8');
        return this.reply(
          req.id,
          EAP_TYPE_MSCHAPV2,
          encodeChapResponse(p.id, this.exchange.respond(p.value), user),
          'inner MSCHAPv2 Response',
        );
      }
      case 'success': {
        const verdict = this.exchange.verifySuccess(p.message);
        if (!verdict.ok) return { kind: 'fail', failure: verdict.failure };
        this.proven = true;
        this.isk = eapMschapv2Msk(verdict.keys).subarray(0, 32);
        return this.reply(req.id, EAP_TYPE_MSCHAPV2, Buffer.of(CHAP_SUCCESS), 'inner MSCHAPv2 Success ack');
      }
      case 'failure':
        this.rejection = this.exchange.rejected(p.message);
        return this.reply(req.id, EAP_TYPE_MSCHAPV2, Buffer.of(CHAP_FAILURE), 'inner MSCHAPv2 Failure ack');
      case 'response':
        return { kind: 'ignore', why: 'inner MSCHAPv2 Response in a Request' };
    }
  }

  private extensions(req: InnerRequest): InnerAction {
    const tlvs = decodeTlvs(req.data);
    const failReply = encodeInner(req.id, EAP_TYPE_EXTENSIONS, resultTlv(RESULT_FAILURE));
    if (!tlvs.ok)
      return { kind: 'fail', failure: protocolError('malformed TLVs in the Extensions packet'), reply: failReply };
    const result = tlvs.value.find((t) => t.type === TLV_RESULT);
    const binding = tlvs.value.find((t) => t.type === TLV_CRYPTO_BINDING);
    const unknown = tlvs.value.find((t) => t.mandatory && t.type !== TLV_RESULT && t.type !== TLV_CRYPTO_BINDING);
    if (unknown !== undefined)
      return { kind: 'fail', failure: protocolError(`mandatory TLV ${unknown.type} we do not know`), reply: failReply };
    if (result === undefined || result.value.length !== 2)
      return { kind: 'fail', failure: protocolError('Extensions packet without a Result TLV'), reply: failReply };
    const status = result.value.readUInt16BE(0);
    if (status === RESULT_SUCCESS) {
      if (!this.proven) {
        return {
          kind: 'fail',
          failure: serverNotProven(PEAP_METHOD, 'Result TLV success before the server proved itself in MS-CHAPv2'),
          reply: failReply,
        };
      }
      let bindingReply: Buffer = Buffer.alloc(0);
      if (binding !== undefined) {
        if (this.isk === undefined || this.tk === undefined)
          return {
            kind: 'fail',
            failure: protocolError('Crypto-Binding TLV before the inner keys exist'),
            reply: failReply,
          };
        const keys = bindingKeys(this.tk, this.isk);
        const answer = answerBinding(binding.value, keys);
        if (!answer.ok)
          return {
            kind: 'fail',
            failure: serverNotProven(PEAP_METHOD, `cryptobinding: ${answer.why}`),
            reply: failReply,
          };
        bindingReply = answer.response;
        this.bound = boundMsk(keys);
      }
      this.resultSuccess = true;
      return {
        kind: 'reply',
        message: encodeInner(req.id, EAP_TYPE_EXTENSIONS, Buffer.concat([resultTlv(RESULT_SUCCESS), bindingReply])),
        trace: `inner Extensions Result success${binding === undefined ? '' : ' + Crypto-Binding (verified)'}`,
      };
    }
    // Failure (or an unknown status, read as failure): acknowledge it; EAP-Failure follows.
    return { kind: 'reply', message: failReply, trace: `inner Extensions Result failure (status ${status})` };
  }

  private reply(id: number, type: number, data: Buffer, trace: string): InnerAction {
    return { kind: 'reply', message: encodeInner(id, type, data), trace };
  }
}

function protocolError(what: string): SessionFailure {
  return failure(
    'auth',
    'protocol-error',
    'The sign-in server sent a malformed PEAP message; the sign-in was stopped. Try again; if it persists, tell your administrator.',
    {
      detail: `${PEAP_METHOD}: ${what}`,
    },
  );
}
