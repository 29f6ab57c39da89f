// The peer as EAP authenticator (RFC 3748): Identity, then EAP-MSCHAPv2 (type 26,
// draft-kamath-pppext-eap-mschapv2), or SoftEther's EAP-TLS Start that an EAP-Nak wedges.
import { randomBytes } from 'node:crypto';
import { decodeChap, CHAP_CHALLENGE, CHAP_FAILURE, CHAP_SUCCESS } from '../../main/engine/ppp/auth/chap-packet.js';
import {
  EAP_TYPE_IDENTITY,
  EAP_TYPE_MSCHAPV2,
  EAP_TYPE_NAK,
  decodeEap,
  eapTypeName,
} from '../../main/engine/ppp/auth/eap-packet.js';
import { encodePacket } from '../../main/engine/ppp/auth/packet-header.js';
import { PPP_EAP } from '../../main/engine/ppp/protocols.js';
import type { AuthOutcome, AuthServer } from './auth-server.js';
import { MsChapV2Verifier } from './mschapv2-verifier.js';
import type { PeerLink } from './peer-link.js';

const EAP_REQUEST = 1;
const EAP_SUCCESS = 3;
const EAP_FAILURE = 4;
const EAP_TYPE_TLS = 13;

type Stage =
  | { readonly name: 'identity' }
  | { readonly name: 'challenge'; readonly user: string }
  | { readonly name: 'success-sent'; readonly outcome: AuthOutcome & { ok: true } }
  | { readonly name: 'failure-sent'; readonly outcome: AuthOutcome & { ok: false } }
  | { readonly name: 'tls-start'; readonly user: string }
  | { readonly name: 'done' };

export class EapServer implements AuthServer {
  readonly protocol = PPP_EAP;
  private id = randomBytes(1)[0] ?? 1;
  private readonly msId = randomBytes(1)[0] ?? 1;
  private readonly verifier: MsChapV2Verifier;
  private stage: Stage = { name: 'identity' };

  constructor(
    private readonly link: PeerLink,
    private readonly done: (o: AuthOutcome) => void,
  ) {
    this.verifier = new MsChapV2Verifier(link.script.users, link.script.auth.wrongAuthenticatorResponse);
  }

  start(): void {
    this.request(EAP_TYPE_IDENTITY, Buffer.alloc(0), 'EAP Request Identity');
  }

  receive(info: Buffer): void {
    const p = decodeEap(info);
    if (!p.ok || p.value.code !== 'response') {
      this.link.violation(
        `unexpected EAP packet ${p.ok ? p.value.code : p.error.reason}`,
        true,
        'INVALID_FRAME_RECEIVED',
      );
      return;
    }
    const { id, type, data } = p.value;
    this.link.log.record({
      kind: 'ppp-received',
      protocol: PPP_EAP,
      summary: `EAP Response ${eapTypeName(type)} id=${id}`,
    });
    if (id !== this.id) {
      this.link.violation(`EAP Response id ${id} does not match Request id ${this.id}`, true);
      return;
    }
    const s = this.stage;
    switch (s.name) {
      case 'identity': {
        if (type !== EAP_TYPE_IDENTITY) return this.protocolViolation(`expected Identity, got ${eapTypeName(type)}`);
        const user = data.toString('utf8');
        if (this.link.script.auth.eap === 'tls-only') {
          this.stage = { name: 'tls-start', user };
          // EAP-TLS Start: flags 0x20 (S), no data.
          this.request(EAP_TYPE_TLS, Buffer.of(0x20), 'EAP Request TLS Start');
          return;
        }
        this.stage = { name: 'challenge', user };
        this.mschap(
          CHAP_CHALLENGE,
          Buffer.concat([Buffer.of(16), this.verifier.challenge, Buffer.from(this.link.script.auth.serverName)]),
          'EAP MSCHAPv2 Challenge',
        );
        return;
      }
      case 'tls-start':
        // SoftEther: an EAP-Nak here wedges the server; the client should have NAKed EAP at LCP.
        this.link.log.record({ kind: 'fault', action: `EAP wedged after ${eapTypeName(type)} (SoftEther behaviour)` });
        this.stage = { name: 'done' };
        return;
      case 'challenge': {
        if (type === EAP_TYPE_NAK) {
          this.stage = { name: 'done' };
          this.finish({ ok: false, user: s.user, why: `client NAKed EAP-MSCHAPv2 (wants ${data.toString('hex')})` });
          return;
        }
        if (type !== EAP_TYPE_MSCHAPV2) return this.protocolViolation(`expected MSCHAPv2, got ${eapTypeName(type)}`);
        const inner = decodeChap(data, 'EAP-MSCHAPv2 packet');
        if (!inner.ok || inner.value.code !== 'response')
          return this.protocolViolation('EAP-MSCHAPv2 Response expected');
        if (inner.value.id !== this.msId)
          return this.protocolViolation(`MS-CHAPv2-ID ${inner.value.id}, expected ${this.msId}`);
        const v = this.verifier.verify(inner.value.value, inner.value.name);
        if (v.ok) {
          this.stage = { name: 'success-sent', outcome: { ok: true, user: v.user, hlak: v.hlak } };
          this.mschap(CHAP_SUCCESS, Buffer.from(v.message), 'EAP MSCHAPv2 Success');
        } else {
          this.stage = { name: 'failure-sent', outcome: { ok: false, user: v.user, why: v.why } };
          this.mschap(CHAP_FAILURE, Buffer.from(v.message), 'EAP MSCHAPv2 Failure');
        }
        return;
      }
      case 'success-sent':
        // The peer acknowledges our Success with a type-26 Response whose data is the Success opcode.
        if (type !== EAP_TYPE_MSCHAPV2 || data[0] !== CHAP_SUCCESS)
          return this.protocolViolation('expected the MSCHAPv2 Success acknowledgement (03)');
        this.stage = { name: 'done' };
        this.send(encodePacket(EAP_SUCCESS, this.id), 'EAP Success');
        this.done(s.outcome);
        return;
      case 'failure-sent':
        this.stage = { name: 'done' };
        this.finish(s.outcome);
        return;
      case 'done':
        return;
    }
  }

  private finish(outcome: AuthOutcome & { ok: false }): void {
    this.send(encodePacket(EAP_FAILURE, this.id), 'EAP Failure');
    this.done(outcome);
  }

  private protocolViolation(why: string): void {
    this.stage = { name: 'done' };
    this.link.violation(`EAP: ${why}`, true, 'INVALID_FRAME_RECEIVED');
  }

  /* Type-26 data: OpCode · MS-CHAPv2-ID · MS-Length (2, from OpCode on) · body. */
  private mschap(opcode: number, body: Buffer, summary: string): void {
    this.request(EAP_TYPE_MSCHAPV2, encodePacket(opcode, this.msId, body), summary);
  }

  private request(type: number, data: Buffer, summary: string): void {
    this.id = (this.id + 1) & 0xff;
    this.send(encodePacket(EAP_REQUEST, this.id, Buffer.of(type), data), summary);
  }

  private send(packet: Buffer, summary: string): void {
    this.link.sendPpp(PPP_EAP, packet, summary);
  }
}
