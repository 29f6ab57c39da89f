// The peer's LCP: proposes the script's options, walks down its authentication list as the client
// NAKs, judges the client's request like a real server, and notes what a client must refuse.
import { randomBytes } from 'node:crypto';
import { formatLcpOption } from '../../main/engine/ppp/lcp-options.js';
import { ECHO_REP, ECHO_REQ, DISCARD_REQ, PROTO_REJ, encodeControl } from '../../main/engine/ppp/packet.js';
import { u16Of, u16Option, u32Of, u32Option, type ConfigOption } from '../../main/engine/ppp/options.js';
import {
  CHAP_MD5,
  CHAP_MSCHAPV2,
  PPP_CHAP,
  PPP_EAP,
  PPP_LCP,
  PPP_PAP,
  protocolName,
} from '../../main/engine/ppp/protocols.js';
import { PeerNegotiator, type PeerVerdict } from './negotiator.js';
import type { PeerLink } from './peer-link.js';
import { LCP_OPT, type LcpRequestOption, type PeerAuthMethod } from './script.js';

export function authOptionData(method: PeerAuthMethod): Buffer {
  switch (method) {
    case 'pap':
      return u16(PPP_PAP);
    case 'chap':
      return Buffer.from([PPP_CHAP >> 8, PPP_CHAP & 0xff, CHAP_MD5]);
    case 'mschapv2':
      return Buffer.from([PPP_CHAP >> 8, PPP_CHAP & 0xff, CHAP_MSCHAPV2]);
    case 'eap':
      return u16(PPP_EAP);
  }
}

function methodOf(data: Buffer): PeerAuthMethod | undefined {
  const all: PeerAuthMethod[] = ['pap', 'chap', 'mschapv2', 'eap'];
  return all.find((m) => authOptionData(m).equals(data));
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

export class LcpServer {
  readonly magic = randomBytes(4).readUInt32BE(0) || 1;
  private readonly negotiator: PeerNegotiator;
  private request: LcpRequestOption[];
  private readonly methods: readonly PeerAuthMethod[];
  private method: PeerAuthMethod | undefined;
  private readonly tried = new Set<PeerAuthMethod>();
  private magicValue = this.magic;
  private clientMru: number | undefined;
  private serverMru: number | undefined;
  private echoId = 0;
  private reopening = false;

  constructor(
    private readonly link: PeerLink,
    private readonly events: {
      opened(method: PeerAuthMethod, serverMru: number | undefined): void;
      terminated(): void;
    },
  ) {
    this.request = [...link.script.lcp.request];
    this.methods = link.script.auth.methods;
    this.method = this.methods[0];
    if (this.method) this.tried.add(this.method);
    this.negotiator = new PeerNegotiator(
      link,
      PPP_LCP,
      'LCP',
      {
        request: () => this.buildRequest(),
        nak: (o) => this.applyNak(o),
        reject: (o) => this.applyReject(o),
        acked: (o) => this.checkAcked(o),
        judge: (o) => o.map((x) => this.judge(x)),
        otherCode: (code, id, data) => this.otherCode(code, id, data),
        terminated: () => this.events.terminated(),
        describe: (o) => formatLcpOption(o) ?? `type ${o.type} ${o.data.toString('hex')}`,
      },
      () => this.opened(),
    );
  }

  get isOpen(): boolean {
    return this.negotiator.opened;
  }

  start(): void {
    if (!this.link.script.lcp.waitForClient) this.negotiator.sendRequest();
  }

  receive(info: Buffer): void {
    this.negotiator.receive(info);
  }

  sendEchoRequest(): void {
    const data = Buffer.alloc(4);
    data.writeUInt32BE(this.magic);
    this.link.sendPpp(PPP_LCP, encodeControl({ code: ECHO_REQ, id: ++this.echoId & 0xff, data }), 'LCP EchoReq');
  }

  /** LCP Protocol-Reject of a protocol the client sent (RFC 1661 §5.7). */
  protocolReject(protocol: number, info: Buffer): void {
    const data = Buffer.alloc(2 + Math.min(info.length, 1400));
    data.writeUInt16BE(protocol);
    info.copy(data, 2, 0, data.length - 2);
    this.link.sendPpp(
      PPP_LCP,
      encodeControl({ code: PROTO_REJ, id: ++this.echoId & 0xff, data }),
      `LCP ProtRej ${protocolName(protocol)}`,
    );
  }

  terminate(): void {
    this.link.sendPpp(
      PPP_LCP,
      encodeControl({ code: 5, id: ++this.echoId & 0xff, data: Buffer.alloc(0) }),
      'LCP TermReq',
    );
  }

  private buildRequest(): ConfigOption[] {
    const out: ConfigOption[] = [];
    for (const r of this.request) {
      switch (r.kind) {
        case 'mru':
          out.push(u16Option(LCP_OPT.MRU, r.value));
          break;
        case 'auth':
          if (this.method) out.push({ type: LCP_OPT.AUTH, data: authOptionData(this.method) });
          break;
        case 'magic':
          out.push(u32Option(LCP_OPT.MAGIC, this.magicValue));
          break;
        case 'callback':
          // Operation 6: Callback Control Protocol, as Windows RRAS proposes it.
          out.push({ type: LCP_OPT.CALLBACK, data: Buffer.of(6) });
          break;
        case 'mrru':
          out.push(u16Option(LCP_OPT.MRRU, r.value));
          break;
        case 'endpoint':
          // Class 1 (locally assigned), 20 bytes, the shape RRAS sends.
          out.push({
            type: LCP_OPT.ENDPOINT,
            data: Buffer.concat([Buffer.of(1), Buffer.from('5d2f0a9c8e7b6a5f4e3d2c1b0a99887766554433', 'hex')]),
          });
          break;
        case 'pfc':
          out.push({ type: LCP_OPT.PFC, data: Buffer.alloc(0) });
          break;
        case 'acfc':
          out.push({ type: LCP_OPT.ACFC, data: Buffer.alloc(0) });
          break;
        case 'raw':
          out.push({ type: r.type, data: r.data });
          break;
      }
    }
    return out;
  }

  private applyNak(options: readonly ConfigOption[]): boolean {
    for (const o of options) {
      switch (o.type) {
        case LCP_OPT.AUTH: {
          const suggested = methodOf(o.data);
          const offered = this.method;
          if (offered)
            this.link.log.record({ kind: 'auth-nak', offered, suggested: suggested ?? `0x${o.data.toString('hex')}` });
          const next =
            suggested !== undefined && this.methods.includes(suggested) && !this.tried.has(suggested)
              ? suggested
              : this.methods.find((m) => !this.tried.has(m));
          if (next === undefined) {
            this.link.log.record({ kind: 'fault', action: 'no authentication method left to offer' });
            this.link.terminate('no common authentication method');
            return false;
          }
          this.method = next;
          this.tried.add(next);
          break;
        }
        case LCP_OPT.MRU: {
          const v = u16Of(o);
          if (v !== undefined)
            this.request = this.request.map((r) => (r.kind === 'mru' ? { kind: 'mru', value: v } : r));
          break;
        }
        case LCP_OPT.MAGIC:
          this.magicValue = randomBytes(4).readUInt32BE(0) || 2;
          break;
        default:
          // A NAK may ask us to add an option (RFC 1661 §5.3); this peer does not.
          break;
      }
    }
    return true;
  }

  private applyReject(options: readonly ConfigOption[]): boolean {
    for (const o of options) {
      if (o.type === LCP_OPT.AUTH) {
        this.link.violation(
          'the client Configure-Rejected the Authentication-Protocol option: it refuses to authenticate',
          false,
        );
        this.link.terminate('the client refused to authenticate');
        return false;
      }
      const kind = kindOf(o.type);
      this.request = this.request.filter((r) => (r.kind === 'raw' ? r.type !== o.type : r.kind !== kind));
    }
    return true;
  }

  private checkAcked(options: readonly ConfigOption[]): void {
    for (const o of options) {
      if (this.link.script.lcp.mustNotAck.includes(o.type)) {
        this.link.violation(
          `the client acknowledged LCP ${formatLcpOption(o) ?? `option ${o.type}`}, which it cannot honour`,
          false,
        );
      }
    }
    const mru = options.find((o) => o.type === LCP_OPT.MRU);
    this.serverMru = mru ? u16Of(mru) : undefined;
  }

  private judge(o: ConfigOption): PeerVerdict {
    const lcp = this.link.script.lcp;
    switch (o.type) {
      case LCP_OPT.MRU: {
        const v = u16Of(o);
        if (v === undefined) return { kind: 'reject' };
        if (v > lcp.maxMru) return { kind: 'nak', suggest: u16Option(LCP_OPT.MRU, lcp.maxMru) };
        if (v < lcp.minMru) return { kind: 'nak', suggest: u16Option(LCP_OPT.MRU, lcp.minMru) };
        this.clientMru = v;
        return { kind: 'ack' };
      }
      case LCP_OPT.MAGIC: {
        if (lcp.rejectMagic) return { kind: 'reject' };
        const v = u32Of(o);
        if (v === undefined || v === 0) return { kind: 'reject' };
        if (v === this.magicValue) return { kind: 'nak', suggest: u32Option(LCP_OPT.MAGIC, (v ^ 0x5a5a5a5a) >>> 0) };
        return { kind: 'ack' };
      }
      case LCP_OPT.AUTH:
        // A client has no business asking the server to authenticate itself over PPP.
        return { kind: 'reject' };
      default:
        // PFC, ACFC and anything else: SSTP gains nothing from them, real servers refuse them.
        return { kind: 'reject' };
    }
  }

  private otherCode(code: number, id: number, data: Buffer): boolean {
    switch (code) {
      case ECHO_REQ: {
        this.link.log.record({ kind: 'ppp-received', protocol: PPP_LCP, summary: 'LCP EchoReq' });
        if (!this.negotiator.opened) return true; // RFC 1661 §5.8: silently discarded unless Opened
        const reply = Buffer.from(data);
        reply.writeUInt32BE(this.magic, 0);
        this.link.sendPpp(PPP_LCP, encodeControl({ code: ECHO_REP, id, data: reply }), 'LCP EchoRep');
        return true;
      }
      case ECHO_REP:
        this.link.log.record({ kind: 'ppp-received', protocol: PPP_LCP, summary: 'LCP EchoRep' });
        return true;
      case DISCARD_REQ:
        this.link.log.record({ kind: 'ppp-received', protocol: PPP_LCP, summary: 'LCP DiscReq' });
        return true;
      case PROTO_REJ: {
        const protocol = data.length >= 2 ? data.readUInt16BE(0) : 0;
        this.link.log.record({
          kind: 'ppp-received',
          protocol: PPP_LCP,
          summary: `LCP ProtRej ${protocolName(protocol)}`,
        });
        this.link.log.record({ kind: 'protocol-rejected-by-client', protocol });
        return true;
      }
      default:
        return false;
    }
  }

  /** Send a new Configure-Request from Opened (RFC 1661: the client goes down and negotiates again). */
  renegotiate(): void {
    if (!this.negotiator.opened) return;
    this.reopening = true;
    this.negotiator.renegotiate();
  }

  private opened(): void {
    if (this.reopening) {
      // A renegotiation: authentication and the NCPs carry on as they were (as the client keeps them).
      this.reopening = false;
      this.link.log.record({ kind: 'lcp-renegotiated', clientMru: this.clientMru, serverMru: this.serverMru });
      return;
    }
    const method = this.method;
    if (method === undefined) {
      // A script with no methods plays a server that asks for no authentication: the client must
      // refuse it (or, opted in, go on to CALL_CONNECTED, which the peer then judges as it comes).
      if (this.methods.length === 0) this.link.log.record({ kind: 'lcp-opened-without-auth' });
      else this.link.violation('LCP opened without an authentication method', true);
      return;
    }
    this.link.log.record({ kind: 'lcp-opened', auth: method, clientMru: this.clientMru, serverMru: this.serverMru });
    this.events.opened(method, this.serverMru);
  }
}

function kindOf(type: number): LcpRequestOption['kind'] | undefined {
  switch (type) {
    case LCP_OPT.MRU:
      return 'mru';
    case LCP_OPT.AUTH:
      return 'auth';
    case LCP_OPT.MAGIC:
      return 'magic';
    case LCP_OPT.CALLBACK:
      return 'callback';
    case LCP_OPT.MRRU:
      return 'mrru';
    case LCP_OPT.ENDPOINT:
      return 'endpoint';
    case LCP_OPT.PFC:
      return 'pfc';
    case LCP_OPT.ACFC:
      return 'acfc';
    default:
      return undefined;
  }
}
