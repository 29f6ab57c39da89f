import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodeFrame } from '../../../../main/engine/ppp/frame.js';
import { decodeOptions, encodeOptions } from '../../../../main/engine/ppp/options.js';
import { decodeControl, decodeMessage, encodeControl, encodeMessage } from '../../../../main/engine/ppp/packet.js';
import type { CodeSet } from '../../../../main/engine/ppp/packet.js';
import { traceLine } from '../../../../main/engine/ppp/trace.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('PPP frame', () => {
  it('decodes FF 03 <protocol> <info> and encodes it back byte for byte', () => {
    const bytes = hex('ff 03 c0 21 01 01 00 04');
    const d = decodeFrame(bytes);
    assert.ok(d.ok);
    assert.equal(d.value.protocol, 0xc021);
    assert.deepEqual(d.value.info, hex('01 01 00 04'));
    assert.deepEqual(encodeFrame(d.value.protocol, d.value.info), bytes);
  });

  const badFrames: [string, string, string][] = [
    ['', 'address', 'too short'],
    ['ff', 'address', 'too short'],
    ['7e 03 c0 21', 'address', 'not 0xff'],
    ['ff 13 c0 21', 'control', 'not 0x03'],
    ['ff 03 c0', 'protocol', 'missing'],
    ['ff 03 c0 20', 'protocol', 'not a valid'],
    ['ff 03 c1 21', 'protocol', 'not a valid'],
  ];
  for (const [bytes, field, why] of badFrames) {
    it(`rejects "${bytes}" naming ${field}`, () => {
      const d = decodeFrame(hex(bytes));
      assert.equal(d.ok, false);
      if (!d.ok) {
        assert.equal(d.error.field, field);
        assert.match(d.error.reason, new RegExp(why));
      }
    });
  }
});

describe('control packets: byte-exact round trips for every code', () => {
  const cases: [string, CodeSet, string, string][] = [
    ['LCP Configure-Request', 'lcp', '01 01 00 0e 01 04 05 dc 05 06 1a 2b 3c 4d', 'configure'],
    ['LCP Configure-Ack', 'lcp', '02 01 00 0e 01 04 05 dc 05 06 1a 2b 3c 4d', 'configure'],
    ['LCP Configure-Nak', 'lcp', '03 02 00 08 01 04 05 ac', 'configure'],
    [
      'LCP Configure-Reject with unknown options kept in order',
      'lcp',
      '04 03 00 11 0d 03 06 11 04 06 4e 13 04 01 aa fe 02',
      'configure',
    ],
    ['LCP Configure-Request, empty', 'lcp', '01 07 00 04', 'configure'],
    ['Terminate-Request with a reason', 'lcp', '05 04 00 0a 62 79 65 20 3a 29', 'terminate'],
    ['Terminate-Ack', 'lcp', '06 04 00 04', 'terminate'],
    ['Code-Reject', 'lcp', '07 05 00 0a 0e 09 00 06 aa bb', 'code-reject'],
    ['Protocol-Reject', 'lcp', '08 06 00 0c 80 fd 01 01 00 04 aa bb', 'protocol-reject'],
    ['Echo-Request', 'lcp', '09 07 00 0b 1a 2b 3c 4d 61 62 63', 'echo'],
    ['Echo-Reply', 'lcp', '0a 07 00 08 00 00 00 00', 'echo'],
    ['Discard-Request', 'lcp', '0b 08 00 09 1a 2b 3c 4d 00', 'echo'],
    ['LCP Identification (unknown code)', 'lcp', '0c 09 00 0c 00 00 00 00 4d 53 52 41', 'other'],
    ['IPCP Configure-Request', 'ncp', '01 01 00 16 03 06 00 00 00 00 81 06 00 00 00 00 83 06 00 00 00 00', 'configure'],
    ['IPCP Configure-Nak', 'ncp', '03 01 00 10 03 06 c0 a8 1e 0a 81 06 c0 a8 1e 01', 'configure'],
    ['IPCP Configure-Reject', 'ncp', '04 01 00 10 02 06 00 2d 0f 01 82 06 00 00 00 00', 'configure'],
    ['IPV6CP Configure-Request', 'ncp', '01 01 00 0e 01 0a 02 1a 2b ff fe 3c 4d 5e', 'configure'],
    ['Echo code is unknown to an NCP', 'ncp', '09 01 00 08 00 00 00 00', 'other'],
  ];
  for (const [name, codes, bytes, kind] of cases) {
    it(name, () => {
      const raw = hex(bytes);
      const p = decodeControl(raw, 'test');
      assert.ok(p.ok);
      assert.deepEqual(encodeControl(p.value), raw);
      const m = decodeMessage(p.value, codes, 'test');
      assert.ok(m.ok);
      assert.equal(m.value.kind, kind);
      assert.deepEqual(encodeControl(encodeMessage(m.value)), raw);
    });
  }

  it('drops padding beyond Length, and names the length field when it lies', () => {
    const p = decodeControl(hex('06 04 00 04 00 00 00'), 'LCP packet');
    assert.ok(p.ok);
    assert.equal(p.value.data.length, 0);
    const short = decodeControl(hex('01 01 00 09 01 04 05'), 'LCP packet');
    assert.deepEqual(short, {
      ok: false,
      error: { what: 'LCP packet', field: 'length', reason: '9 exceeds the 7 bytes received' },
    });
    const tiny = decodeControl(hex('01 01 00 03'), 'LCP packet');
    assert.equal(tiny.ok, false);
    assert.equal(decodeControl(hex('01 01'), 'x').ok, false);
  });

  it('names the field of malformed LCP messages', () => {
    const echo = decodeMessage({ code: 9, id: 1, data: hex('00 01') }, 'lcp', 'LCP packet');
    assert.deepEqual(echo, { ok: false, error: { what: 'LCP packet', field: 'magic-number', reason: 'missing' } });
    const pr = decodeMessage({ code: 8, id: 1, data: hex('80') }, 'lcp', 'LCP packet');
    assert.equal(pr.ok === false && pr.error.field, 'rejected-protocol');
  });
});

describe('option lists', () => {
  it('keep unknown options and their order byte for byte', () => {
    const raw = hex(
      '01 04 0f fb 03 04 c2 27 05 06 11 22 33 44 07 02 08 02 0d 03 06 11 04 06 4e 13 09 01 00 11 22 33 44 55 ee 02',
    );
    const d = decodeOptions(raw, 'LCP Configure-Request');
    assert.ok(d.ok);
    assert.deepEqual(
      d.value.map((o) => o.type),
      [1, 3, 5, 7, 8, 13, 17, 19, 0xee],
    );
    assert.deepEqual(encodeOptions(d.value), raw);
  });

  const bad: [string, string, string][] = [
    ['01', 'option[0].length', 'missing'],
    ['01 01', 'option[0].length', '1 is less than 2'],
    ['01 04 05 dc 03 05 c2 23', 'option[1].length', '5 exceeds the 4 bytes left'],
  ];
  for (const [bytes, field, reason] of bad) {
    it(`report ${field} for "${bytes}"`, () => {
      assert.deepEqual(decodeOptions(hex(bytes), 'LCP Configure-Request'), {
        ok: false,
        error: { what: 'LCP Configure-Request', field, reason },
      });
    });
  }
});

describe('trace lines (pppd style)', () => {
  const cases: [string, 'send' | 'rcvd', number, string, string][] = [
    [
      'LCP request',
      'send',
      0xc021,
      '01 01 00 0e 01 04 05 dc 05 06 1a 2b 3c 4d',
      'send [LCP ConfReq id=0x1 <mru 1500> <magic 0x1a2b3c4d>]',
    ],
    [
      'IPCP nak',
      'rcvd',
      0x8021,
      '03 02 00 10 03 06 c0 a8 1e 0a 81 06 c0 a8 1e 01',
      'rcvd [IPCP ConfNak id=0x2 <addr 192.168.30.10> <ms-dns1 192.168.30.1>]',
    ],
    [
      'auth options',
      'rcvd',
      0xc021,
      '01 03 00 11 03 04 c2 27 03 05 c2 23 81 03 04 c0 23',
      'rcvd [LCP ConfReq id=0x3 <auth eap> <auth chap MS-v2> <auth pap>]',
    ],
    [
      'RRAS extras',
      'send',
      0xc021,
      '04 01 00 13 07 02 08 02 0d 03 06 11 04 06 4e 13 04 01 aa',
      'send [LCP ConfRej id=0x1 <pcomp> <accomp> <callback CBCP> <mrru 1614> <endpoint class 1 aa>]',
    ],
    ['unknown option as hex', 'send', 0xc021, '04 01 00 07 ee 03 01', 'send [LCP ConfRej id=0x1 <ee 03 01>]'],
    [
      'dns2 and wins',
      'rcvd',
      0x8021,
      '04 01 00 10 83 06 0a 00 00 02 82 06 0a 00 00 03',
      'rcvd [IPCP ConfRej id=0x1 <ms-dns2 10.0.0.2> <ms-wins 10.0.0.3>]',
    ],
    [
      'ipv6cp',
      'send',
      0x8057,
      '01 01 00 0e 01 0a 02 1a 2b ff fe 3c 4d 5e',
      'send [IPV6CP ConfReq id=0x1 <addr fe80::21a:2bff:fe3c:4d5e>]',
    ],
    ['terminate', 'rcvd', 0xc021, '05 04 00 0a 62 79 65 20 3a 29', 'rcvd [LCP TermReq id=0x4 "bye :)"]'],
    ['echo', 'send', 0xc021, '0a 07 00 08 00 00 00 00', 'send [LCP EchoRep id=0x7 magic=0x0]'],
    ['protocol reject', 'send', 0xc021, '08 06 00 0a 80 fd 01 01 00 04', 'send [LCP ProtRej id=0x6 proto=CCP]'],
    ['ccp', 'rcvd', 0x80fd, '01 01 00 0a 12 06 01 00 00 40', 'rcvd [CCP ConfReq id=0x1 <12 06 01 00 00 40>]'],
    [
      'pap shows no payload',
      'send',
      0xc023,
      '01 01 00 14 04 75 73 65 72 0a 73 65 63 72 65 74 2d 70 77 21',
      'send [PAP AuthReq id=0x1 len=20]',
    ],
    ['chap shows no payload', 'rcvd', 0xc223, '04 02 00 0a 45 3d 36 39 31 20', 'rcvd [CHAP Failure id=0x2 len=10]'],
    ['ip', 'rcvd', 0x0021, '45 00 00 14', 'rcvd [IP len=4]'],
    [
      'malformed',
      'rcvd',
      0xc021,
      '01 01 00 09 01',
      'rcvd [LCP <malformed LCP packet: length: 9 exceeds the 5 bytes received> 01 01 00 09 01]',
    ],
  ];
  for (const [name, dir, proto, bytes, expected] of cases) {
    it(name, () => assert.equal(traceLine(dir, proto, hex(bytes)), expected));
  }

  it('never shows a PAP password', () => {
    const line = traceLine(
      'send',
      0xc023,
      Buffer.concat([hex('01 01 00 14 04'), Buffer.from('user'), hex('0a'), Buffer.from('secret-pw!')]),
    );
    assert.doesNotMatch(line, /secret/);
  });
});
