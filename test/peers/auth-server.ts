// The peer as PPP authenticator: PAP (RFC 1334), CHAP-MD5 (RFC 1994), MS-CHAPv2 (RFC 2759) and EAP
// (RFC 3748) with EAP-MSCHAPv2. Each reports one outcome with the HLAK the server would bind with.
import { createHash, randomBytes } from 'node:crypto';
import { CHAP_CHALLENGE, CHAP_FAILURE, CHAP_SUCCESS, decodeChap } from '../../main/engine/ppp/auth/chap-packet.js';
import { decodeHeader, encodePacket } from '../../main/engine/ppp/auth/packet-header.js';
import { PPP_CHAP, PPP_PAP } from '../../main/engine/ppp/protocols.js';
import { EapServer } from './eap-server.js';
import { MsChapV2Verifier } from './mschapv2-verifier.js';
import { RadiusEapRelay } from './radius-relay.js';
import type { PeerLink } from './peer-link.js';
import type { PeerAuthMethod } from './script.js';

export type AuthOutcome =
  | { readonly ok: true; readonly user: string; readonly hlak: Buffer }
  | { readonly ok: false; readonly user: string; readonly why: string };

export interface AuthServer {
  readonly protocol: number;
  start(): void;
  receive(info: Buffer): void;
}

/** PAP and CHAP-MD5 derive no keys: MS-SSTP binds them with an all-zero HLAK. */
export const ZERO_HLAK = Buffer.alloc(32);

export function createAuthServer(method: PeerAuthMethod, link: PeerLink, done: (o: AuthOutcome) => void): AuthServer {
  switch (method) {
    case 'pap':
      return new PapServer(link, done);
    case 'chap':
      return new ChapMd5Server(link, done);
    case 'mschapv2':
      return new MsChapV2Server(link, done);
    case 'eap':
      return link.script.auth.radius === undefined
        ? new EapServer(link, done)
        : new RadiusEapRelay(link, link.script.auth.radius, done);
  }
}

class PapServer implements AuthServer {
  readonly protocol = PPP_PAP;
  private finished = false;

  constructor(
    private readonly link: PeerLink,
    private readonly done: (o: AuthOutcome) => void,
  ) {}

  start(): void {
    // PAP is driven by the peer being authenticated: wait for its Authenticate-Request.
  }

  // Authenticate-Request: Code 1 · Id · Length · Peer-ID Length · Peer-Id · Passwd-Length · Password
  receive(info: Buffer): void {
    const h = decodeHeader(info, 'PAP packet');
    if (!h.ok || h.value.code !== 1) {
      this.link.violation(
        `unexpected PAP packet ${info.subarray(0, 4).toString('hex')}`,
        true,
        'INVALID_FRAME_RECEIVED',
      );
      return;
    }
    const body = h.value.body;
    const idLength = body[0] ?? 0;
    const user = body.subarray(1, 1 + idLength).toString('utf8');
    const pwLength = body[1 + idLength];
    const password =
      pwLength === undefined ? undefined : body.subarray(2 + idLength, 2 + idLength + pwLength).toString('utf8');
    this.link.log.record({
      kind: 'ppp-received',
      protocol: PPP_PAP,
      summary: `PAP AuthReq id=${h.value.id} user=${user}`,
    });
    if (this.finished) return;
    this.finished = true;
    const ok = password !== undefined && this.link.script.users[user] === password;
    const message = Buffer.from(ok ? 'Login ok' : 'Authentication failed');
    this.link.sendPpp(
      PPP_PAP,
      encodePacket(ok ? 2 : 3, h.value.id, Buffer.of(message.length), message),
      ok ? 'PAP AuthAck' : 'PAP AuthNak',
    );
    this.done(ok ? { ok: true, user, hlak: ZERO_HLAK } : { ok: false, user, why: 'wrong user name or password' });
  }
}

class ChapMd5Server implements AuthServer {
  readonly protocol = PPP_CHAP;
  private readonly challenge = randomBytes(16);
  private readonly id = randomBytes(1)[0] ?? 1;
  private finished = false;

  constructor(
    private readonly link: PeerLink,
    private readonly done: (o: AuthOutcome) => void,
  ) {}

  start(): void {
    const name = Buffer.from(this.link.script.auth.serverName);
    this.link.sendPpp(
      PPP_CHAP,
      encodePacket(CHAP_CHALLENGE, this.id, Buffer.of(16), this.challenge, name),
      'CHAP Challenge MD5',
    );
  }

  receive(info: Buffer): void {
    const p = decodeChap(info);
    if (!p.ok || p.value.code !== 'response') {
      this.link.violation(
        `unexpected CHAP packet ${p.ok ? p.value.code : p.error.reason}`,
        true,
        'INVALID_FRAME_RECEIVED',
      );
      return;
    }
    const user = p.value.name.toString('utf8');
    this.link.log.record({
      kind: 'ppp-received',
      protocol: PPP_CHAP,
      summary: `CHAP Response id=${p.value.id} user=${user}`,
    });
    if (this.finished) return;
    if (p.value.id !== this.id) {
      this.link.violation(`CHAP Response id ${p.value.id} does not match Challenge id ${this.id}`, true);
      return;
    }
    this.finished = true;
    const password = this.link.script.users[user];
    // RFC 1994 §4.1: MD5(Identifier ‖ secret ‖ Challenge).
    const expected =
      password === undefined
        ? undefined
        : createHash('md5').update(Buffer.of(this.id)).update(password, 'utf8').update(this.challenge).digest();
    const ok = expected !== undefined && expected.equals(p.value.value);
    const code = ok ? CHAP_SUCCESS : CHAP_FAILURE;
    this.link.sendPpp(
      PPP_CHAP,
      encodePacket(code, this.id, Buffer.from(ok ? 'Welcome' : 'Authentication failed')),
      ok ? 'CHAP Success' : 'CHAP Failure',
    );
    this.done(ok ? { ok: true, user, hlak: ZERO_HLAK } : { ok: false, user, why: 'wrong user name or password' });
  }
}

class MsChapV2Server implements AuthServer {
  readonly protocol = PPP_CHAP;
  private readonly verifier: MsChapV2Verifier;
  private readonly id = randomBytes(1)[0] ?? 1;
  private finished = false;
  private holding = false;

  constructor(
    private readonly link: PeerLink,
    private readonly done: (o: AuthOutcome) => void,
  ) {
    this.verifier = new MsChapV2Verifier(
      link.script.users,
      link.script.auth.wrongAuthenticatorResponse,
      link.script.auth.oneTimeCodes,
    );
  }

  start(): void {
    const name = Buffer.from(this.link.script.auth.serverName);
    this.link.sendPpp(
      PPP_CHAP,
      encodePacket(CHAP_CHALLENGE, this.id, Buffer.of(16), this.verifier.challenge, name),
      'CHAP Challenge MS-v2',
    );
  }

  receive(info: Buffer): void {
    const p = decodeChap(info);
    if (!p.ok || p.value.code !== 'response') {
      this.link.violation(
        `unexpected MS-CHAPv2 packet ${p.ok ? p.value.code : p.error.reason}`,
        true,
        'INVALID_FRAME_RECEIVED',
      );
      return;
    }
    this.link.log.record({
      kind: 'ppp-received',
      protocol: PPP_CHAP,
      summary: `MS-CHAPv2 Response id=${p.value.id} user=${p.value.name.toString('utf8')}`,
    });
    // A second Response while the answer is held (an MFA push pending) would start a second RADIUS
    // request at a real server, cancelling the push the user is about to approve.
    if (this.holding)
      this.link.violation('the client resent its MS-CHAPv2 Response while authentication was pending', false);
    if (this.finished) return;
    if (p.value.id !== this.id) {
      this.link.violation(`MS-CHAPv2 Response id ${p.value.id} does not match Challenge id ${this.id}`, true);
      return;
    }
    this.finished = true;
    const { value, name } = p.value;
    const delay = this.link.script.auth.answerDelayMs ?? 0;
    if (delay <= 0) return this.answer(value, name);
    this.holding = true;
    this.link.after(delay, () => {
      this.holding = false;
      this.answer(value, name);
    });
  }

  private answer(value: Buffer, name: Buffer): void {
    const v = this.verifier.verify(value, name);
    // RFC 2759 §5–6: Success/Failure carry the Response's identifier.
    this.link.sendPpp(
      PPP_CHAP,
      encodePacket(v.ok ? CHAP_SUCCESS : CHAP_FAILURE, this.id, Buffer.from(v.message)),
      v.ok ? 'MS-CHAPv2 Success' : 'MS-CHAPv2 Failure',
    );
    this.done(v.ok ? { ok: true, user: v.user, hlak: v.hlak } : { ok: false, user: v.user, why: v.why });
  }
}
