// Byte strings that break SSTP framing in the ways real servers and middleboxes do; each names the
// rule it breaks so a test can expect the matching reason from the client.
import type { MalformedKind } from './script.js';

export function malformedBytes(which: MalformedKind): Buffer {
  switch (which) {
    case 'bad-version':
      // Version 0x20: the stream cannot be delineated any further (MS-SSTP §3.1.5.1).
      return Buffer.from('20010008' + '00080000', 'hex');
    case 'short-length':
      // Length 2 is shorter than the header itself.
      return Buffer.from('10010002', 'hex');
    case 'bad-attribute-list':
      // CALL_ABORT announcing one STATUS_INFO attribute of 64 bytes in a 12-byte packet.
      return Buffer.from('1001000c' + '00050001' + '00020040', 'hex');
    case 'truncated-control':
      // A control packet of 6 bytes: shorter than the 8-byte control header.
      return Buffer.from('10010006' + '0008', 'hex');
  }
}
