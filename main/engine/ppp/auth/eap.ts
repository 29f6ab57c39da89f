// EAP client (RFC 3748): EAP-MSCHAPv2 (type 26, draft-kamath-pppext-eap-mschapv2) built in, and
// TLS-based methods (EAP-TLS, PEAP) plugged in as EapMethods. Identity is answered with the user
// name, a method we do not run is Nak'ed toward the ones we do (in the profile's order), and
// EAP-Success counts only after the server proved itself inside the method.
import { describeDecodeError } from '../../bytes.js';
import { PPP_EAP } from '../protocols.js';
import { AuthRun } from './auth-run.js';
import type { AuthMethod } from '../../config.js';
import type { Authenticator, AuthenticatorContext } from './authenticator.js';
import { CHAP_FAILURE, CHAP_SUCCESS, decodeChap, encodeChapResponse } from './chap-packet.js';
import {
  EAP_TYPE_IDENTITY,
  EAP_TYPE_MSCHAPV2,
  EAP_TYPE_NAK,
  EAP_TYPE_NOTIFICATION,
  decodeEap,
  eapTypeName,
  encodeEapResponse,
} from './eap-packet.js';
import type { EapMethod, EapMethodHost } from './eap-tls-host.js';
import { credentialsRejected, serverNotProven } from './failures.js';
import { MSCHAPV2_CHALLENGE_SIZE, MsChapV2Exchange } from './mschapv2-exchange.js';
import type { RandomSource } from './mschapv2-exchange.js';
import { successMessageText } from './mschapv2-messages.js';
import { idHex, printableText, quoted } from './trace.js';
import { eapMschapv2Msk } from '../../crypto/mppe-keys.js';

/** A method the dispatcher hands every Request of its type to (EAP-TLS, PEAP). */
export interface EapMethodSpec {
  readonly type: number;
  /** Created on the first Request of this type. */
  create(host: EapMethodHost): EapMethod;
}

export interface EapOptions {
  /** Source of the MS-CHAPv2 peer challenge; tests inject a fixed one. */
  readonly random?: RandomSource;
  /** The AuthMethod LCP agreed on (reported as `method`); default 'eap-mschapv2'. */
  readonly method?: AuthMethod;
  /** Whether EAP-MSCHAPv2 may run; default true. */
  readonly mschapv2?: boolean;
  /** Other methods, in the profile's order of preference (before or after MS-CHAPv2, see `order`). */
  readonly methods?: readonly EapMethodSpec[];
  /** EAP types in preference order, for Naks; default: `methods` then 26 when allowed. */
  readonly order?: readonly number[];
  /** The peer MRU negotiated by LCP (fragment size for TLS methods); default 1500. */
  readonly peerMru?: () => number;
}

const METHOD = 'EAP-MSCHAPv2';

export class EapAuthenticator implements Authenticator {
  readonly method: AuthMethod;
  readonly protocol = PPP_EAP;
  private readonly mschapv2: boolean;
  private readonly specs: ReadonlyMap<number, EapMethodSpec>;
  private readonly order: readonly number[];
  /** The plugged-in method running now, once the server asked for one. */
  private inner: EapMethod | undefined;
  private readonly peerMru: () => number;
  private readonly run: AuthRun;
  private readonly exchange: MsChapV2Exchange;
  /** The last Request answered and our answer: a duplicate Request gets the same bytes (RFC 3748 §4.1). */
  private last: { readonly id: number; readonly response: Buffer } | undefined;
  /** Set once the server's MS-CHAPv2 proof checked out; EAP-Success is accepted only then. */
  private hlak: Buffer | undefined;

  constructor(
    private readonly ctx: AuthenticatorContext,
    options: EapOptions = {},
  ) {
    this.run = new AuthRun(ctx);
    this.exchange = new MsChapV2Exchange(ctx.credentials, METHOD, options.random);
    this.method = options.method ?? 'eap-mschapv2';
    this.mschapv2 = options.mschapv2 ?? true;
    this.specs = new Map((options.methods ?? []).map((m) => [m.type, m]));
    this.order = options.order ?? [...this.specs.keys(), ...(this.mschapv2 ? [EAP_TYPE_MSCHAPV2] : [])];
    this.peerMru = options.peerMru ?? (() => 1500);
  }

  private host(): EapMethodHost {
    return {
      reply: (id, type, data, trace) => this.reply(id, type, data, trace),
      fail: (f) => this.run.fail(f),
      log: this.run.log,
      clock: this.ctx.clock,
      peerMru: () => this.peerMru(),
    };
  }

  start(): void {
    this.armSilence();
  }

  private armSilence(): void {
    // The same wait as the other methods: an MFA push behind EAP-MSCHAPv2 or PEAP takes as long.
    this.run.waitForServer('EAP');
  }

  receive(packet: Buffer): void {
    if (!this.run.running) return;
    const d = decodeEap(packet);
    if (!d.ok) {
      this.run.log.debug(`rcvd [EAP] dropped: ${describeDecodeError(d.error)}`);
      return;
    }
    const p = d.value;
    switch (p.code) {
      case 'request':
        this.onRequest(p.id, p.type, p.data);
        return;
      case 'success':
        this.run.log.debug(`rcvd [EAP Success id=${idHex(p.id)}]`);
        if (this.inner !== undefined) {
          const verdict = this.inner.success();
          if (verdict.ok) this.run.succeed(verdict.hlak);
          else this.run.fail(verdict.failure);
          return;
        }
        if (this.hlak === undefined) {
          this.run.fail(serverNotProven(METHOD, 'EAP-Success before the server proved itself in MS-CHAPv2'));
          return;
        }
        this.run.succeed(this.hlak);
        return;
      case 'failure':
        this.run.log.debug(`rcvd [EAP Failure id=${idHex(p.id)}]`);
        this.run.fail(
          this.inner?.failure() ?? credentialsRejected('EAP', undefined, 'EAP: EAP-Failure from the server'),
        );
        return;
      case 'response':
        this.run.log.debug(`rcvd [EAP Response id=${idHex(p.id)}] ignored: we are the peer`);
        return;
    }
  }

  private onRequest(id: number, type: number, data: Buffer): void {
    this.armSilence();
    if (this.last?.id === id) {
      this.run.log.debug(`rcvd [EAP Request id=${idHex(id)} ${eapTypeName(type)}] duplicate; resending our response`);
      this.run.send(PPP_EAP, this.last.response);
      return;
    }
    switch (type) {
      case EAP_TYPE_IDENTITY: {
        this.run.log.debug(`rcvd [EAP Request id=${idHex(id)} Identity ${quoted(data)}]`);
        const user = Buffer.from(this.ctx.credentials.username, 'utf8');
        this.reply(id, EAP_TYPE_IDENTITY, user, `Identity ${quoted(user)}`);
        return;
      }
      case EAP_TYPE_NOTIFICATION:
        // The text is meant for the user (RFC 3748 §5.2); the peer must acknowledge it.
        this.run.log.info(`EAP notification from the server: ${printableText(data) ?? `<${data.length} bytes>`}`);
        this.reply(id, EAP_TYPE_NOTIFICATION, Buffer.alloc(0), 'Notification');
        return;
      case EAP_TYPE_MSCHAPV2:
        if (this.mschapv2 && this.inner === undefined) {
          this.onMsChapV2(id, data);
          return;
        }
        this.nak(id, type);
        return;
      case EAP_TYPE_NAK:
        this.run.log.debug(`rcvd [EAP Request id=${idHex(id)} Nak] ignored: Nak is only valid in a Response`);
        return;
      default: {
        const spec = this.specs.get(type);
        if (spec !== undefined && (this.inner === undefined || this.inner.type === type)) {
          this.inner ??= spec.create(this.host());
          this.inner.request(id, data);
          return;
        }
        this.nak(id, type);
        return;
      }
    }
  }

  // Legacy Nak (§5.3.1) listing the methods we do, most preferred first. Once a method has begun,
  // switching is refused by Nak'ing toward it alone.
  private nak(id: number, type: number): void {
    this.run.log.debug(`rcvd [EAP Request id=${idHex(id)} ${eapTypeName(type)}]`);
    const types = this.inner !== undefined ? [this.inner.type] : this.order.filter((t) => t !== type);
    const list = types.length > 0 ? types : [0]; // 0: "no alternative" (RFC 3748 §5.3.1)
    this.reply(id, EAP_TYPE_NAK, Buffer.from(list), `Nak <${list.map(eapTypeName).join(' ')}>`);
  }

  private reply(id: number, type: number, data: Buffer, trace: string): void {
    const response = encodeEapResponse(id, type, data);
    this.last = { id, response };
    this.run.log.debug(`send [EAP Response id=${idHex(id)} ${trace}]`);
    this.run.send(PPP_EAP, response);
  }

  // Type-Data of type 26 (draft-kamath-pppext-eap-mschapv2 §2): the MS-CHAPv2 packet,
  // | OpCode | MS-CHAPv2-ID | MS-Length (2) | data ... |, where MS-Length counts from OpCode, and the
  // data is Value-Size/Value/Name for Challenge and Response, the message text for Success and
  // Failure. The peer acknowledges Success or Failure with a lone OpCode byte.
  private onMsChapV2(id: number, data: Buffer): void {
    const d = decodeChap(data, 'EAP-MSCHAPv2 packet');
    if (!d.ok) {
      this.run.log.debug(`rcvd [EAP Request id=${idHex(id)} MSCHAPv2] dropped: ${describeDecodeError(d.error)}`);
      return;
    }
    const p = d.value;
    const head = `rcvd [EAP Request id=${idHex(id)} MSCHAPv2`;
    switch (p.code) {
      case 'challenge': {
        this.run.log.debug(`${head} Challenge id=${idHex(p.id)} name=${quoted(p.name)}]`);
        if (p.value.length !== MSCHAPV2_CHALLENGE_SIZE) {
          this.run.log.debug(
            `EAP-MSCHAPv2: challenge of ${p.value.length} bytes, need ${MSCHAPV2_CHALLENGE_SIZE}; dropped`,
          );
          return;
        }
        const user = Buffer.from(this.ctx.credentials.username, 'utf8');
        const inner = encodeChapResponse(p.id, this.exchange.respond(p.value), user);
        this.reply(id, EAP_TYPE_MSCHAPV2, inner, `MSCHAPv2 Response id=${idHex(p.id)} name=${quoted(user)}`);
        return;
      }
      case 'success': {
        const text = successMessageText(p.message.toString('latin1'));
        const shown =
          text === undefined ? '' : ` M=${JSON.stringify(printableText(Buffer.from(text, 'latin1')) ?? '')}`;
        this.run.log.debug(`${head} Success id=${idHex(p.id)}${shown}]`);
        const verdict = this.exchange.verifySuccess(p.message);
        if (!verdict.ok) {
          this.run.fail(verdict.failure);
          return;
        }
        this.run.log.debug('EAP-MSCHAPv2: server proved knowledge of the password');
        // HLAK = first 32 bytes of the MSK (MS-SSTP §3.2.5.2); see eapMschapv2Msk for which key goes first.
        this.hlak = eapMschapv2Msk(verdict.keys).subarray(0, 32);
        this.reply(id, EAP_TYPE_MSCHAPV2, Buffer.of(CHAP_SUCCESS), 'MSCHAPv2 Success');
        return;
      }
      case 'failure': {
        this.run.log.debug(`${head} Failure id=${idHex(p.id)} ${quoted(p.message)}]`);
        this.reply(id, EAP_TYPE_MSCHAPV2, Buffer.of(CHAP_FAILURE), 'MSCHAPv2 Failure');
        this.run.fail(this.exchange.rejected(p.message));
        return;
      }
      case 'response':
        this.run.log.debug(`${head} Response id=${idHex(p.id)}] ignored: not valid in a Request`);
        return;
    }
  }

  stop(): void {
    this.run.stop();
    this.inner?.stop();
  }
}
