// A strict MS-CHAPv2 authenticator for tests, built only on the server-side crypto functions: it
// checks the client's NT-Response against the password it knows and proves itself with S=.
import { randomBytes } from 'node:crypto';
import { mppeMasterKeys, mschapv2Hlak } from '../../../../../main/engine/crypto/mppe-keys.js';
import {
  generateAuthenticatorResponse,
  hashNtPasswordHash,
  ntPasswordHash,
  verifyNtResponse,
} from '../../../../../main/engine/crypto/mschapv2.js';

export type ServerVerdict =
  | { readonly ok: true; readonly message: string; readonly hlak: Buffer }
  | { readonly ok: false; readonly message: string };

export class MsChapV2TestServer {
  readonly challenge: Buffer;

  constructor(
    private readonly passwords: ReadonlyMap<string, string>,
    challenge: Buffer = randomBytes(16),
  ) {
    this.challenge = challenge;
  }

  /** Judges a 49-byte Response value sent under `name`. */
  judge(value: Buffer, name: string): ServerVerdict {
    const failure = { ok: false as const, message: `E=691 R=0 C=${'00'.repeat(16)} V=3 M=Authentication failed` };
    const password = this.passwords.get(name);
    if (password === undefined || value.length !== 49) return failure;
    const peerChallenge = value.subarray(0, 16);
    const reserved = value.subarray(16, 24);
    const ntResponse = value.subarray(24, 48);
    const flags = value[48];
    if (!reserved.equals(Buffer.alloc(8)) || flags !== 0) return failure;
    const hash = ntPasswordHash(password);
    if (!verifyNtResponse(hash, this.challenge, peerChallenge, name, ntResponse)) return failure;
    const s = generateAuthenticatorResponse(hash, ntResponse, peerChallenge, this.challenge, name);
    const keys = mppeMasterKeys(hashNtPasswordHash(hash), ntResponse, 'server');
    return { ok: true, message: `${s} M=Welcome`, hlak: mschapv2Hlak(keys) };
  }
}
