// One MS-CHAPv2 exchange from the client's side (RFC 2759), shared by plain MS-CHAPv2 over CHAP and
// by EAP-MSCHAPv2: answer a challenge, check the server's proof, derive the keys. The secrets stay in
// here; callers only get packets' values and verdicts.
import { randomBytes } from 'node:crypto';
import type { Credentials } from '../../config.js';
import type { SessionFailure } from '../../failure.js';
import { mppeMasterKeys, mschapv2Hlak } from '../../crypto/mppe-keys.js';
import type { MppeMasterKeys } from '../../crypto/mppe-keys.js';
import {
  authenticatorResponseDigest,
  checkAuthenticatorResponse,
  generateNtResponseFromHash,
  hashNtPasswordHash,
  ntPasswordHash,
} from '../../crypto/mschapv2.js';
import { msChapV2Rejected, serverNotProven } from './failures.js';
import { parseFailureMessage } from './mschapv2-messages.js';

export type RandomSource = (size: number) => Buffer;

/** Value-Size of an MS-CHAPv2 Response (RFC 2759 §4): peer challenge 16, reserved 8, NT-Response 24, flags 1. */
export const MSCHAPV2_RESPONSE_SIZE = 49;
export const MSCHAPV2_CHALLENGE_SIZE = 16;

interface Answered {
  readonly authenticatorChallenge: Buffer;
  readonly peerChallenge: Buffer;
  readonly ntResponse: Buffer;
}

export type SuccessVerdict =
  | { readonly ok: true; readonly keys: MppeMasterKeys; readonly hlak: Buffer }
  | { readonly ok: false; readonly failure: SessionFailure };

export class MsChapV2Exchange {
  private answered: Answered | undefined;

  constructor(
    private readonly credentials: Credentials,
    private readonly method: string,
    private readonly random: RandomSource = randomBytes,
  ) {}

  /** The 49-byte Response value for a 16-byte authenticator challenge; remembers it for the proof check. */
  respond(authenticatorChallenge: Buffer): Buffer {
    const peerChallenge = this.random(MSCHAPV2_CHALLENGE_SIZE);
    const hash = ntPasswordHash(this.credentials.password);
    const ntResponse = generateNtResponseFromHash(
      authenticatorChallenge,
      peerChallenge,
      this.credentials.username,
      hash,
    );
    this.answered = { authenticatorChallenge: Buffer.from(authenticatorChallenge), peerChallenge, ntResponse };
    // Reserved (8 zero bytes) and Flags (0) are already zero.
    const value = Buffer.alloc(MSCHAPV2_RESPONSE_SIZE);
    peerChallenge.copy(value, 0);
    ntResponse.copy(value, 24);
    return value;
  }

  /** Checks the "S=" proof in a Success message; on success yields the client-view keys and HLAK. */
  verifySuccess(message: Buffer): SuccessVerdict {
    const a = this.answered;
    if (a === undefined) return { ok: false, failure: serverNotProven(this.method, 'Success before any Response') };
    const hash = ntPasswordHash(this.credentials.password);
    const expected = authenticatorResponseDigest(
      hash,
      a.ntResponse,
      a.peerChallenge,
      a.authenticatorChallenge,
      this.credentials.username,
    );
    const text = message.toString('latin1');
    if (!checkAuthenticatorResponse(expected, text)) {
      const why = /^S=/.test(text)
        ? 'authenticator response does not match'
        : 'Success message carries no S= authenticator response';
      return { ok: false, failure: serverNotProven(this.method, why) };
    }
    const keys = mppeMasterKeys(hashNtPasswordHash(hash), a.ntResponse, 'client');
    return { ok: true, keys, hlak: mschapv2Hlak(keys) };
  }

  /** The failure a Failure packet's message means. */
  rejected(message: Buffer): SessionFailure {
    // Untrusted text bound for logs and the UI: printable ASCII only.
    const text = message
      .toString('latin1')
      .replace(/\0+$/, '')
      .replace(/[^\x20-\x7e]/g, '?');
    const parsed = parseFailureMessage(text);
    return msChapV2Rejected(this.method, parsed.ok ? parsed.value : undefined, text.slice(0, 120));
  }
}
