// CHAP with MD5 (RFC 1994): answer every Challenge — including re-challenges after success — with
// MD5(Identifier ‖ secret ‖ Challenge).
import { createHash } from 'node:crypto';
import { describeDecodeError } from '../../bytes.js';
import { PPP_CHAP } from '../protocols.js';
import { AuthRun, zeroHlak } from './auth-run.js';
import type { Authenticator, AuthenticatorContext } from './authenticator.js';
import { decodeChap, encodeChapResponse } from './chap-packet.js';
import { credentialsRejected } from './failures.js';
import { idHex, printableText, quoted } from './trace.js';

export class ChapMd5Authenticator implements Authenticator {
  readonly method = 'chap' as const;
  readonly protocol = PPP_CHAP;
  private readonly run: AuthRun;
  /** Identifier of our latest Response; Success/Failure must carry it (RFC 1994 §4.2). */
  private answeredId: number | undefined;

  constructor(private readonly ctx: AuthenticatorContext) {
    this.run = new AuthRun(ctx);
  }

  start(): void {
    this.armSilence();
  }

  private armSilence(): void {
    this.run.waitForServer('CHAP');
  }

  receive(packet: Buffer): void {
    if (!this.run.live) return;
    const d = decodeChap(packet);
    if (!d.ok) {
      this.run.log.debug(`rcvd [CHAP] dropped: ${describeDecodeError(d.error)}`);
      return;
    }
    const p = d.value;
    switch (p.code) {
      case 'challenge': {
        this.run.log.debug(`rcvd [CHAP Challenge id=${idHex(p.id)} <${p.value.length} bytes> name=${quoted(p.name)}]`);
        this.armSilence();
        const { username, password } = this.ctx.credentials;
        const digest = createHash('md5').update(Buffer.of(p.id)).update(password, 'utf8').update(p.value).digest();
        const name = Buffer.from(username, 'utf8');
        this.answeredId = p.id;
        this.run.log.debug(`send [CHAP Response id=${idHex(p.id)} name=${quoted(name)}]`);
        this.run.send(PPP_CHAP, encodeChapResponse(p.id, digest, name));
        return;
      }
      case 'success':
      case 'failure': {
        const label = p.code === 'success' ? 'Success' : 'Failure';
        this.run.log.debug(`rcvd [CHAP ${label} id=${idHex(p.id)} ${quoted(p.message)}]`);
        if (p.id !== this.answeredId) {
          this.run.log.debug(`CHAP: ${label} id=${idHex(p.id)} answers no response of ours; ignored`);
          return;
        }
        if (p.code === 'success') this.run.succeed(zeroHlak());
        else this.run.fail(credentialsRejected('CHAP', printableText(p.message)));
        return;
      }
      case 'response':
        this.run.log.debug(`rcvd [CHAP Response id=${idHex(p.id)}] ignored: we do not authenticate the server`);
        return;
    }
  }

  stop(): void {
    this.run.stop();
  }
}
