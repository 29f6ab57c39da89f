// PAP client (RFC 1334 §2): send Authenticate-Request until the server Acks or Naks it. Over SSTP
// (TCP) a request is never lost, and a RADIUS-backed server may take each new one for a new sign-in —
// starting a second MFA push and cancelling the first — so only a few copies go out early (for a
// server that was not listening yet); then we wait quietly up to the authentication wait.
import { describeDecodeError } from '../../bytes.js';
import { PPP_PAP } from '../protocols.js';
import { AuthRun, zeroHlak } from './auth-run.js';
import type { Authenticator, AuthenticatorContext } from './authenticator.js';
import { authTimeout, credentialsRejected, credentialsTooLong } from './failures.js';
import { DEFAULT_AUTH_WAIT_MS } from '../../config.js';
import { decodePap, encodePapRequest } from './pap-packet.js';
import { idHex, printableText, quoted } from './trace.js';

export const PAP_RESTART_MS = 3_000;
/** Transmissions in all (the first and its retransmissions), all within the first 6 s. */
export const PAP_MAX_REQUESTS = 3;

export class PapAuthenticator implements Authenticator {
  readonly method = 'pap' as const;
  readonly protocol = PPP_PAP;
  private readonly run: AuthRun;
  private id = 0;
  private sent = 0;
  /** Identifiers of every request sent: a late answer to an earlier copy still counts. */
  private readonly sentIds = new Set<number>();

  constructor(private readonly ctx: AuthenticatorContext) {
    this.run = new AuthRun(ctx);
  }

  start(): void {
    const { username, password } = this.ctx.credentials;
    if (Buffer.byteLength(username) > 255 || Buffer.byteLength(password) > 255) {
      this.run.fail(credentialsTooLong('PAP'));
      return;
    }
    this.transmit();
  }

  private transmit(): void {
    if (this.sent >= PAP_MAX_REQUESTS) {
      // The rest of the authentication wait, counted from the first request.
      const waitMs = this.ctx.waitMs ?? DEFAULT_AUTH_WAIT_MS;
      const left = Math.max(0, waitMs - (PAP_MAX_REQUESTS - 1) * PAP_RESTART_MS - PAP_RESTART_MS);
      this.run.setTimer(left, () => this.run.fail(authTimeout('PAP', waitMs)));
      return;
    }
    // RFC 1334: the Identifier changes with every Authenticate-Request sent.
    this.id = (this.id + 1) & 0xff;
    this.sentIds.add(this.id);
    this.sent++;
    const { username, password } = this.ctx.credentials;
    const user = Buffer.from(username, 'utf8');
    this.run.log.debug(`send [PAP AuthReq id=${idHex(this.id)} user=${quoted(user)} password=<hidden>]`);
    this.run.send(PPP_PAP, encodePapRequest(this.id, user, Buffer.from(password, 'utf8')));
    this.run.setTimer(PAP_RESTART_MS, () => this.transmit());
  }

  receive(packet: Buffer): void {
    if (!this.run.running) return;
    const d = decodePap(packet);
    if (!d.ok) {
      this.run.log.debug(`rcvd [PAP] dropped: ${describeDecodeError(d.error)}`);
      return;
    }
    const p = d.value;
    if (p.code === 'request') {
      this.run.log.debug(`rcvd [PAP AuthReq id=${idHex(p.id)}] ignored: we do not authenticate the server by PAP`);
      return;
    }
    const label = p.code === 'ack' ? 'AuthAck' : 'AuthNak';
    this.run.log.debug(`rcvd [PAP ${label} id=${idHex(p.id)} ${quoted(p.message)}]`);
    if (!this.sentIds.has(p.id)) {
      this.run.log.debug(`PAP: ${label} id=${idHex(p.id)} answers no request of ours; ignored`);
      return;
    }
    if (p.code === 'ack') this.run.succeed(zeroHlak());
    else this.run.fail(credentialsRejected('PAP', printableText(p.message)));
  }

  stop(): void {
    this.run.stop();
  }
}
