// The probes the leak suite sends from the client namespace, and how each one is recognised in a
// capture. Every probe of one state carries that state's nonce (in its payload, DNS name or ping
// pattern) or, for a TCP SYN that has no payload, a destination address and port used by nothing
// else, so a packet in a capture is attributed to exactly one probe.
import type { IpPacket } from './pcap.js';

export type ProbeId = 'tcp4' | 'udp4' | 'dns-system' | 'dns-fixed' | 'icmp4' | 'tcp6' | 'icmp6' | 'tcp-vpn-lan';

/** The addresses probes go to: none of them is the SSTP server's, and none is routable off this box. */
export const TARGETS = {
  /** "A host on the Internet" (TEST-NET-3), owned by the outer namespace's loopback. */
  internet4: '203.0.113.10',
  /** A public resolver's fixed address, like 1.1.1.1 (TEST-NET-3). */
  fixedDns: '203.0.113.53',
  /** The ISP's resolver, what the client's resolv.conf names before the VPN (TEST-NET-2). */
  systemDns: '198.51.100.53',
  /** "A host on the IPv6 Internet" (documentation prefix). */
  internet6: '2001:db8:ff::10',
  /** A host on the VPN's own network (the SoftEther server's bridge): split routes carry it. */
  vpnLan: '192.168.30.5',
} as const;

export const PORTS = { tcp4: 9101, udp4: 9102, tcp6: 9106, tcpVpnLan: 9107 } as const;

export interface ProbeSpec {
  readonly id: ProbeId;
  readonly label: string;
}

export const PROBES: readonly ProbeSpec[] = [
  { id: 'tcp4', label: 'TCP' },
  { id: 'udp4', label: 'UDP' },
  { id: 'dns-system', label: 'DNS system' },
  { id: 'dns-fixed', label: 'DNS fixed' },
  { id: 'icmp4', label: 'ICMP' },
  { id: 'tcp6', label: 'TCP6' },
  { id: 'icmp6', label: 'ICMPv6' },
  { id: 'tcp-vpn-lan', label: 'VPN LAN' },
];

export function dnsName(nonce: string, which: 'sys' | 'fixed'): string {
  return `${nonce}.${which}.leak.test`;
}

export function udpPayload(nonce: string): Buffer {
  return Buffer.from(`cwleak:${nonce}:udp4`);
}

/** The DNS name's first two labels as they stand on the wire: <len>nonce<len>which. */
function dnsWire(nonce: string, which: 'sys' | 'fixed'): Buffer {
  return Buffer.concat([
    Buffer.from([nonce.length]),
    Buffer.from(nonce),
    Buffer.from([which.length]),
    Buffer.from(which),
  ]);
}

const SYN = 0x02;
const ACK = 0x10;

function isSynTo(p: IpPacket, address: string, port: number): boolean {
  return p.protocol === 6 && p.dst === address && p.dstPort === port && ((p.tcpFlags ?? 0) & (SYN | ACK)) === SYN;
}

/** Whether `p` is (a retransmission of) probe `id` of the state whose nonce is `nonce`. */
export function isProbePacket(id: ProbeId, nonce: string, p: IpPacket): boolean {
  switch (id) {
    case 'tcp4':
      return isSynTo(p, TARGETS.internet4, PORTS.tcp4);
    case 'tcp6':
      return isSynTo(p, TARGETS.internet6, PORTS.tcp6);
    case 'tcp-vpn-lan':
      return isSynTo(p, TARGETS.vpnLan, PORTS.tcpVpnLan);
    case 'udp4':
      return p.protocol === 17 && p.payload.includes(udpPayload(nonce));
    case 'dns-system':
      return p.protocol === 17 && p.dstPort === 53 && p.payload.includes(dnsWire(nonce, 'sys'));
    case 'dns-fixed':
      return p.protocol === 17 && p.dstPort === 53 && p.payload.includes(dnsWire(nonce, 'fixed'));
    case 'icmp4':
      return p.protocol === 1 && p.icmpType === 8 && p.payload.includes(Buffer.from(nonce, 'hex'));
    case 'icmp6':
      return p.protocol === 58 && p.icmpType === 128 && p.payload.includes(Buffer.from(nonce, 'hex'));
  }
}
