// The 8 bytes in front of every IP packet on the wire: SSTP data header + PPP address/control/protocol.
//   10 00 LL LL  FF 03  00 21 (IPv4) | 00 57 (IPv6)
// Written in place, into room left in front of the packet, so the packet is never copied for it.
import { PPP_IPV4, PPP_IPV6 } from '../ppp/protocols.js';
import { writeDataHeader } from '../sstp/header.js';
import { SSTP_PPP_HEADROOM } from '../tun/packet-batch.js';

/** Writes the header at `offset`; the IP packet of `ipLength` bytes follows at offset + SSTP_PPP_HEADROOM. */
export function writeIpFrameHeader(buf: Buffer, offset: number, ipLength: number, ipv6: boolean): void {
  writeDataHeader(buf, offset, SSTP_PPP_HEADROOM - 4 + ipLength);
  buf[offset + 4] = 0xff;
  buf[offset + 5] = 0x03;
  buf.writeUInt16BE(ipv6 ? PPP_IPV6 : PPP_IPV4, offset + 6);
}
