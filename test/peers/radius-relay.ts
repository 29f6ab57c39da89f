// The peer as RRAS with NPS behind it: the NAS asks for the Identity itself, then relays every EAP
// Response to the RADIUS server (RFC 3579 §2: EAP-Message + Message-Authenticator, State echoed) and
// every EAP-Request back to the client. Access-Accept ends with its EAP-Success and the MPPE keys
// (RFC 2548) become the HLAK the binding is checked with; Access-Reject ends with EAP-Failure.
import { randomBytes } from 'node:crypto';
import { EAP_TYPE_IDENTITY, decodeEap, eapTypeName } from '../../main/engine/ppp/auth/eap-packet.js';
import { encodePacket } from '../../main/engine/ppp/auth/packet-header.js';
import { PPP_EAP } from '../../main/engine/ppp/protocols.js';
import type { AuthOutcome, AuthServer } from './auth-server.js';
import type { PeerLink } from './peer-link.js';
import { RadiusClient, type RadiusServerAddress } from './radius-client.js';
import { mppeKeys } from './radius-mppe.js';
import {
  ATTR,
  RADIUS,
  attribute,
  eapMessage,
  eapMessageAttributes,
  radiusCodeName,
  type RadiusAttribute,
  type RadiusPacket,
} from './radius-packet.js';

const EAP_REQUEST = 1;
const EAP_SUCCESS = 3;
const EAP_FAILURE = 4;

export class RadiusEapRelay implements AuthServer {
  readonly protocol = PPP_EAP;
  private readonly radius: RadiusClient;
  private identityId = randomBytes(1)[0] ?? 1;
  private user: string | undefined;
  private state: Buffer | undefined;
  /** The Identifier of the EAP-Request now with the client; its Response is what we relay. */
  private expectedId: number;
  private busy = false;
  private finished = false;

  constructor(
    private readonly link: PeerLink,
    private readonly server: RadiusServerAddress,
    private readonly done: (o: AuthOutcome) => void,
  ) {
    this.radius = new RadiusClient(server);
    this.expectedId = this.identityId;
  }

  start(): void {
    this.link.sendPpp(
      PPP_EAP,
      encodePacket(EAP_REQUEST, this.identityId, Buffer.of(EAP_TYPE_IDENTITY)),
      'EAP Request Identity',
    );
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
    this.link.log.record({
      kind: 'ppp-received',
      protocol: PPP_EAP,
      summary: `EAP Response ${eapTypeName(p.value.type)} id=${p.value.id}`,
    });
    if (this.finished) return;
    if (p.value.id !== this.expectedId) {
      this.link.violation(`EAP Response id ${p.value.id} does not match Request id ${this.expectedId}`, true);
      return;
    }
    // A retransmitted Response while RADIUS is still thinking: the server has it already.
    if (this.busy) return;
    if (this.user === undefined) {
      if (p.value.type !== EAP_TYPE_IDENTITY) {
        this.link.violation(`EAP: expected Identity, got ${eapTypeName(p.value.type)}`, true, 'INVALID_FRAME_RECEIVED');
        return;
      }
      this.user = p.value.data.toString('utf8');
    }
    void this.relay(Buffer.from(info.subarray(0, info.readUInt16BE(2))));
  }

  private async relay(eap: Buffer): Promise<void> {
    this.busy = true;
    const attrs: RadiusAttribute[] = [
      { type: ATTR.USER_NAME, value: Buffer.from(this.user ?? '', 'utf8') },
      { type: ATTR.NAS_IDENTIFIER, value: Buffer.from('causeway-strict-peer') },
      { type: ATTR.NAS_IP_ADDRESS, value: Buffer.of(127, 0, 0, 1) },
      // Service-Type Framed (2), Framed-Protocol PPP (1), NAS-Port-Type Virtual (5): what RRAS sends for a VPN.
      { type: ATTR.SERVICE_TYPE, value: u32(2) },
      { type: ATTR.FRAMED_PROTOCOL, value: u32(1) },
      { type: ATTR.NAS_PORT_TYPE, value: u32(5) },
      { type: ATTR.CALLING_STATION_ID, value: Buffer.from('127.0.0.1') },
      ...eapMessageAttributes(eap),
      ...(this.state === undefined ? [] : [{ type: ATTR.STATE, value: this.state }]),
    ];
    this.link.log.record({
      kind: 'radius',
      direction: 'sent',
      code: 'Access-Request',
      summary: `Access-Request EAP ${eap.length} bytes in ${Math.ceil(eap.length / 253)} EAP-Message`,
    });
    const r = await this.radius.request(attrs);
    this.busy = false;
    if (this.finished) return;
    if (!r.ok) return this.end({ ok: false, user: this.user ?? '', why: `RADIUS: ${r.why}` }, undefined);
    this.onReply(r.reply, r.requestAuthenticator);
  }

  private onReply(reply: RadiusPacket, requestAuthenticator: Buffer): void {
    const eap = eapMessage(reply);
    const code = radiusCodeName(reply.code);
    const text = attribute(reply, ATTR.REPLY_MESSAGE)?.toString('utf8');
    this.link.log.record({
      kind: 'radius',
      direction: 'received',
      code,
      summary: `${code}${eap ? ` EAP ${eap.length} bytes` : ''}${text ? ` "${text}"` : ''}`,
    });
    const user = this.user ?? '';
    switch (reply.code) {
      case RADIUS.ACCESS_CHALLENGE: {
        const state = attribute(reply, ATTR.STATE);
        if (state !== undefined) this.state = state;
        const d = eap === undefined ? undefined : decodeEap(eap);
        if (eap === undefined || d === undefined || !d.ok || d.value.code !== 'request') {
          return this.end({ ok: false, user, why: 'RADIUS Access-Challenge without an EAP-Request' }, undefined);
        }
        this.expectedId = d.value.id;
        this.link.sendPpp(PPP_EAP, eap, `EAP Request ${eapTypeName(d.value.type)} id=${d.value.id} (from RADIUS)`);
        return;
      }
      case RADIUS.ACCESS_ACCEPT: {
        const keys = mppeKeys(reply, requestAuthenticator, this.server.secret);
        if (!keys.ok)
          return this.end({ ok: false, user, why: `RADIUS: ${keys.why}` }, encodePacket(EAP_FAILURE, this.expectedId));
        // MSK = MS-MPPE-Recv-Key ‖ MS-MPPE-Send-Key (RFC 3748 §7.10 via RFC 2548); the HLAK is its first 32 bytes.
        const msk = Buffer.concat([keys.recv, keys.send]);
        const hlak = Buffer.alloc(32);
        msk.copy(hlak, 0, 0, 32);
        return this.end({ ok: true, user, hlak }, eap ?? encodePacket(EAP_SUCCESS, this.expectedId));
      }
      case RADIUS.ACCESS_REJECT:
        return this.end(
          { ok: false, user, why: `RADIUS Access-Reject${text ? `: ${text}` : ''}` },
          eap ?? encodePacket(EAP_FAILURE, this.expectedId),
        );
      default:
        return this.end(
          { ok: false, user, why: `RADIUS ${code} is not an answer to Access-Request` },
          encodePacket(EAP_FAILURE, this.expectedId),
        );
    }
  }

  private end(outcome: AuthOutcome, eap: Buffer | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.radius.close();
    const failure = eap ?? encodePacket(EAP_FAILURE, this.expectedId);
    const code = failure[0] === EAP_SUCCESS ? 'Success' : 'Failure';
    this.link.sendPpp(PPP_EAP, failure, `EAP ${code} (from RADIUS)`);
    this.done(outcome);
  }
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}
