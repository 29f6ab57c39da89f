// MS-CHAPv2 client over PPP CHAP (RFC 2759): answer the Challenge, insist on the server's proof in
// Success, then hand the crypto-binding key (client-view MPPE master keys) to the session.
import { describeDecodeError } from '../../bytes.js';
import { PPP_CHAP } from '../protocols.js';
import { AuthRun } from './auth-run.js';
import type { Authenticator, AuthenticatorContext } from './authenticator.js';
import { decodeChap, encodeChapResponse } from './chap-packet.js';
import { MSCHAPV2_CHALLENGE_SIZE, MsChapV2Exchange } from './mschapv2-exchange.js';
import type { RandomSource } from './mschapv2-exchange.js';
import { successMessageText } from './mschapv2-messages.js';
import { idHex, printableText, quoted } from './trace.js';

export interface MsChapV2Options {
  /** Source of the peer challenge; tests inject a fixed one. */
  readonly random?: RandomSource;
}

interface Answer {
  readonly id: number;
  readonly challenge: Buffer;
  readonly packet: Buffer;
}

export class MsChapV2Authenticator implements Authenticator {
  readonly method = 'mschapv2' as const;
  readonly protocol = PPP_CHAP;
  private readonly run: AuthRun;
  private readonly exchange: MsChapV2Exchange;
  private answer: Answer | undefined;

  constructor(
    private readonly ctx: AuthenticatorContext,
    options: MsChapV2Options = {},
  ) {
    this.run = new AuthRun(ctx);
    this.exchange = new MsChapV2Exchange(ctx.credentials, 'MS-CHAPv2', options.random);
  }

  start(): void {
    this.armSilence();
  }

  private armSilence(): void {
    this.run.waitForServer('MS-CHAPv2');
  }

  receive(packet: Buffer): void {
    if (!this.run.live) return;
    const d = decodeChap(packet, 'MS-CHAPv2 packet');
    if (!d.ok) {
      this.run.log.debug(`rcvd [MSCHAPv2] dropped: ${describeDecodeError(d.error)}`);
      return;
    }
    const p = d.value;
    switch (p.code) {
      case 'challenge':
        this.onChallenge(p.id, p.value, p.name);
        return;
      case 'success':
        this.onSuccess(p.id, p.message);
        return;
      case 'failure':
        this.run.log.debug(`rcvd [MSCHAPv2 Failure id=${idHex(p.id)} ${quoted(p.message)}]`);
        if (this.answer?.id !== p.id) {
          this.run.log.debug(`MS-CHAPv2: Failure id=${idHex(p.id)} answers no response of ours; ignored`);
          return;
        }
        this.run.fail(this.exchange.rejected(p.message));
        return;
      case 'response':
        this.run.log.debug(`rcvd [MSCHAPv2 Response id=${idHex(p.id)}] ignored: we do not authenticate the server`);
        return;
    }
  }

  private onChallenge(id: number, challenge: Buffer, name: Buffer): void {
    this.run.log.debug(`rcvd [MSCHAPv2 Challenge id=${idHex(id)} name=${quoted(name)}]`);
    if (challenge.length !== MSCHAPV2_CHALLENGE_SIZE) {
      this.run.log.debug(`MS-CHAPv2: challenge of ${challenge.length} bytes, need ${MSCHAPV2_CHALLENGE_SIZE}; dropped`);
      return;
    }
    this.armSilence();
    const user = Buffer.from(this.ctx.credentials.username, 'utf8');
    // A retransmitted Challenge gets the same Response: a new peer challenge would contradict the
    // one the server may already be checking.
    const same = this.answer !== undefined && this.answer.id === id && this.answer.challenge.equals(challenge);
    const answer =
      same && this.answer !== undefined
        ? this.answer
        : {
            id,
            challenge: Buffer.from(challenge),
            packet: encodeChapResponse(id, this.exchange.respond(challenge), user),
          };
    this.answer = answer;
    this.run.log.debug(`send [MSCHAPv2 Response id=${idHex(id)} name=${quoted(user)}]`);
    this.run.send(PPP_CHAP, answer.packet);
  }

  private onSuccess(id: number, message: Buffer): void {
    const text = successMessageText(message.toString('latin1'));
    const shown = text === undefined ? '' : ` M=${JSON.stringify(printableText(Buffer.from(text, 'latin1')) ?? '')}`;
    this.run.log.debug(`rcvd [MSCHAPv2 Success id=${idHex(id)}${shown}]`);
    if (this.answer?.id !== id) {
      this.run.log.debug(`MS-CHAPv2: Success id=${idHex(id)} answers no response of ours; ignored`);
      return;
    }
    const verdict = this.exchange.verifySuccess(message);
    if (!verdict.ok) {
      this.run.fail(verdict.failure);
      return;
    }
    this.run.log.debug('MS-CHAPv2: server proved knowledge of the password');
    // After success, a re-challenge (accel-ppp's chap-interval) is answered and checked, but the
    // HLAK of the first exchange is the one crypto binding already used.
    this.run.succeed(verdict.hlak);
  }

  stop(): void {
    this.run.stop();
  }
}
