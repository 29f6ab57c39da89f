// The authenticator's half of MS-CHAPv2 (RFC 2759), shared by plain MS-CHAPv2 and EAP-MSCHAPv2:
// checks the NT-Response with the engine's server-side crypto, and derives the server's HLAK.
import { randomBytes } from 'node:crypto';
import { mppeMasterKeys, mschapv2Hlak } from '../../main/engine/crypto/mppe-keys.js';
import {
  challengeUserName,
  generateAuthenticatorResponse,
  hashNtPasswordHash,
  ntPasswordHash,
  verifyNtResponse,
} from '../../main/engine/crypto/mschapv2.js';
import type { OneTimeCodes } from './one-time-codes.js';

export type MsChapV2Verdict =
  | { readonly ok: true; readonly user: string; readonly message: string; readonly hlak: Buffer }
  | { readonly ok: false; readonly user: string; readonly why: string; readonly message: string };

export const MSCHAPV2_RESPONSE_SIZE = 49;

export class MsChapV2Verifier {
  readonly challenge = randomBytes(16);

  constructor(
    private readonly users: Readonly<Record<string, string>>,
    private readonly wrongAuthenticatorResponse: boolean,
    /** When set, the password must carry one of these codes, each accepted once (one-time-codes.ts). */
    private readonly oneTimeCodes?: OneTimeCodes,
  ) {}

  /** Response value (RFC 2759 §4): Peer-Challenge 16 · Reserved 8 (zero) · NT-Response 24 · Flags 1 (zero). */
  verify(value: Buffer, nameBytes: Buffer): MsChapV2Verdict {
    const user = nameBytes.toString('utf8');
    const fail = (why: string): MsChapV2Verdict => ({
      ok: false,
      user,
      why,
      message: `E=691 R=0 C=${this.challenge.toString('hex').toUpperCase()} V=3 M=Authentication failure`,
    });
    if (value.length !== MSCHAPV2_RESPONSE_SIZE) return fail(`Value-Size ${value.length}, must be 49`);
    const peerChallenge = value.subarray(0, 16);
    const reserved = value.subarray(16, 24);
    const ntResponse = value.subarray(24, 48);
    if (!reserved.equals(Buffer.alloc(8)) || value[48] !== 0) return fail('reserved bytes or flags are not zero');
    const password = this.users[user] ?? this.users[challengeUserName(user)];
    if (password === undefined) return fail(`unknown user ${JSON.stringify(user)}`);
    const proves = (candidate: string) =>
      verifyNtResponse(ntPasswordHash(candidate), this.challenge, peerChallenge, user, ntResponse);
    let proven = password;
    if (this.oneTimeCodes) {
      const codes = this.oneTimeCodes;
      const match = codes.candidates(password).find((c) => proves(c.password));
      if (match === undefined) return fail('NT-Response proves no password with a valid one-time code');
      if (match.used) {
        codes.noteReplay(match.code);
        return fail(`one-time code ${match.code} was already used`);
      }
      codes.consume(match.code);
      proven = match.password;
    } else if (!proves(password)) return fail('NT-Response does not prove the password');
    const hash = ntPasswordHash(proven);
    let s = generateAuthenticatorResponse(hash, ntResponse, peerChallenge, this.challenge, user);
    // Flip one hex digit: the client must notice that this server cannot prove the password.
    if (this.wrongAuthenticatorResponse) s = `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`;
    const hlak = mschapv2Hlak(mppeMasterKeys(hashNtPasswordHash(hash), ntResponse, 'server'));
    return { ok: true, user, message: `${s} M=Welcome to the strict peer`, hlak };
  }
}
