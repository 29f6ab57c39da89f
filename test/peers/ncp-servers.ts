// The peer's IPCP (RFC 1332, RFC 1877) and IPv6CP (RFC 5072): hands out the scripted addresses by
// Configure-Nak, refuses what it does not offer.
import { randomBytes } from 'node:crypto';
import { formatIpcpOption } from '../../main/engine/ppp/ipcp-options.js';
import { formatIpv6cpOption } from '../../main/engine/ppp/ipv6cp-options.js';
import type { ConfigOption } from '../../main/engine/ppp/options.js';
import { PPP_IPCP, PPP_IPV6CP } from '../../main/engine/ppp/protocols.js';
import { parseIpv4 } from '../../main/engine/packet/icmp.js';
import { PeerNegotiator, type PeerVerdict } from './negotiator.js';
import type { PeerLink } from './peer-link.js';

const IP_ADDRESS = 3;
const PRIMARY_DNS = 129;
const SECONDARY_DNS = 131;
const INTERFACE_ID = 1;

function addressOption(type: number, text: string): ConfigOption {
  const a = parseIpv4(text);
  if (!a) throw new RangeError(`strict peer script: ${text} is not an IPv4 address`);
  return { type, data: a };
}

/** What both NCP servers share: the session drives them through their negotiator. */
abstract class NcpServer {
  protected abstract readonly negotiator: PeerNegotiator;

  get opened(): boolean {
    return this.negotiator.opened;
  }

  start(): void {
    if (!this.negotiator.started) this.negotiator.sendRequest();
  }

  receive(info: Buffer): void {
    this.negotiator.receive(info);
  }
}

export class IpcpServer extends NcpServer {
  protected readonly negotiator: PeerNegotiator;
  private dnsRequested = false;

  constructor(
    private readonly link: PeerLink,
    onOpened: () => void,
  ) {
    super();
    const ipcp = link.script.ipcp;
    this.negotiator = new PeerNegotiator(
      link,
      PPP_IPCP,
      'IPCP',
      {
        request: () => [addressOption(IP_ADDRESS, ipcp.serverAddress)],
        nak: () => true,
        reject: () => {
          this.link.violation('the client rejected our IP-Address option', false);
          return true;
        },
        acked: () => {},
        judge: (options) => options.map((o) => this.judge(o)),
        describe: (o) => formatIpcpOption(o) ?? `type ${o.type} ${o.data.toString('hex')}`,
      },
      () => {
        link.log.record({ kind: 'ipcp-opened', clientAddress: ipcp.clientAddress, dnsRequested: this.dnsRequested });
        onOpened();
      },
    );
  }

  private judge(o: ConfigOption): PeerVerdict {
    const ipcp = this.link.script.ipcp;
    const same = (text: string | undefined) => text !== undefined && parseIpv4(text)?.equals(o.data) === true;
    switch (o.type) {
      case IP_ADDRESS:
        return same(ipcp.clientAddress)
          ? { kind: 'ack' }
          : { kind: 'nak', suggest: addressOption(IP_ADDRESS, ipcp.clientAddress) };
      case PRIMARY_DNS:
      case SECONDARY_DNS: {
        this.dnsRequested = true;
        const want = ipcp.dns[o.type === PRIMARY_DNS ? 0 : 1];
        if (ipcp.rejectDns || want === undefined) return { kind: 'reject' };
        return same(want) ? { kind: 'ack' } : { kind: 'nak', suggest: addressOption(o.type, want) };
      }
      default:
        // Compression, NBNS, the old IP-Addresses option: not offered.
        return { kind: 'reject' };
    }
  }
}

export class Ipv6cpServer extends NcpServer {
  protected readonly negotiator: PeerNegotiator;
  private readonly ourId = Buffer.concat([Buffer.of(0x02), randomBytes(7)]);
  private clientId: Buffer | undefined;

  /** Our link-local address, where our router advertisements come from. */
  get linkLocal(): string {
    const g: string[] = [];
    for (let i = 0; i < 8; i += 2) g.push(this.ourId.readUInt16BE(i).toString(16));
    return `fe80::${g.join(':')}`;
  }

  constructor(link: PeerLink, onOpened: () => void) {
    super();
    this.negotiator = new PeerNegotiator(
      link,
      PPP_IPV6CP,
      'IPV6CP',
      {
        request: () => [{ type: INTERFACE_ID, data: this.ourId }],
        nak: () => true,
        reject: () => true,
        acked: () => {},
        judge: (options) => options.map((o) => this.judge(o)),
        describe: (o) => formatIpv6cpOption(o) ?? `type ${o.type} ${o.data.toString('hex')}`,
      },
      () => {
        link.log.record({ kind: 'ipv6cp-opened', clientInterfaceId: this.clientId?.toString('hex') ?? '' });
        onOpened();
      },
    );
  }

  private judge(o: ConfigOption): PeerVerdict {
    if (o.type !== INTERFACE_ID) return { kind: 'reject' };
    if (o.data.length !== 8 || o.data.every((b) => b === 0) || o.data.equals(this.ourId)) {
      return { kind: 'nak', suggest: { type: INTERFACE_ID, data: Buffer.concat([Buffer.of(0x02), randomBytes(7)]) } };
    }
    this.clientId = Buffer.from(o.data);
    return { kind: 'ack' };
  }
}
