// Hand-built SSTP session bytes for the capture tests: the HTTP exchange, SSTP control packets and
// PPP frames (LCP, PAP, MS-CHAPv2, EAP-MSCHAPv2, IPCP, ICMP) as RFC 1661/1334/1994/2759/1332 lay them out.
import { buildEchoRequest, parseIpv4 } from '../../../../main/engine/packet/icmp.js';
import { bareMessage, callConnectRequest, encodeControlPacket } from '../../../../main/engine/sstp/control-packet.js';
import { encodeDataPacket } from '../../../../main/engine/sstp/header.js';

export const PASSWORD = 'Sw0rdfish-PAP';
export const NT_RESPONSE = Buffer.alloc(24, 0xab);
export const AUTH_RESPONSE_HEX = 'C0FFEE'.repeat(6) + 'C0FF'; // 40 hex digits

/** A PPP packet of `protocol` with code, id and data, as a data packet (FF 03 protocol code id length data). */
export function ppp(protocol: number, code: number, id: number, data: Buffer): Buffer {
  const head = Buffer.from([0xff, 0x03, protocol >> 8, protocol & 0xff, code, id, 0, 0]);
  head.writeUInt16BE(4 + data.length, 6);
  return encodeDataPacket(Buffer.concat([head, data]));
}

export function papRequest(user: string, password: string): Buffer {
  return ppp(
    0xc023,
    1,
    1,
    Buffer.concat([
      Buffer.from([user.length]),
      Buffer.from(user),
      Buffer.from([password.length]),
      Buffer.from(password),
    ]),
  );
}

export function mschapv2Response(user: string): Buffer {
  const value = Buffer.concat([Buffer.alloc(16, 0x11), Buffer.alloc(8), NT_RESPONSE, Buffer.from([0])]);
  return ppp(0xc223, 2, 7, Buffer.concat([Buffer.from([49]), value, Buffer.from(user)]));
}

export function mschapv2Success(): Buffer {
  return ppp(0xc223, 3, 7, Buffer.from(`S=${AUTH_RESPONSE_HEX} M=welcome`));
}

/** EAP Response/MS-CHAPv2 Response: EAP code 2, type 26, opcode 2, MS-CHAPv2-ID, MS-Length, value. */
export function eapMschapv2Response(user: string): Buffer {
  const value = Buffer.concat([Buffer.alloc(16, 0x22), Buffer.alloc(8), NT_RESPONSE, Buffer.from([0])]);
  const ms = Buffer.concat([Buffer.from([2, 9, 0, 0, 49]), value, Buffer.from(user)]);
  ms.writeUInt16BE(ms.length, 2);
  return ppp(0xc227, 2, 9, Buffer.concat([Buffer.from([26]), ms]));
}

export function sessionStream(): { out: Buffer[]; in: Buffer[] } {
  const lcpOptions = Buffer.from('010405dc0305c22381', 'hex'); // MRU 1500, auth MS-CHAPv2
  const ipcp = Buffer.from('03060a000002', 'hex'); // IP-Address 10.0.0.2
  const icmp = buildEchoRequest(
    parseIpv4('10.0.0.2') as Buffer,
    parseIpv4('10.0.0.1') as Buffer,
    0x1234,
    1,
    Buffer.from('causeway ping'),
  );
  return {
    out: [
      Buffer.from(
        'SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nHost: vpn.example\r\nContent-Length: 18446744073709551615\r\nSSTPCORRELATIONID: {00000000-0000-0000-0000-000000000001}\r\n\r\n',
      ),
      encodeControlPacket(callConnectRequest()),
      ppp(0xc021, 1, 1, lcpOptions),
      papRequest('alice', PASSWORD),
      mschapv2Response('alice'),
      eapMschapv2Response('alice'),
      ppp(0x8021, 1, 1, ipcp),
      encodeDataPacket(Buffer.concat([Buffer.from([0xff, 0x03, 0x00, 0x21]), icmp])),
      encodeControlPacket(bareMessage('ECHO_REQUEST')),
    ],
    in: [
      Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n'),
      mschapv2Success(),
      encodeControlPacket(bareMessage('ECHO_RESPONSE')),
    ],
  };
}
