// Server families from trace lines. The SoftEther lines are copied from a real run against the
// harness's SoftEther (Debian softether-vpnserver); the accel-ppp ones follow VyOS's documented
// negotiation; the RRAS ones RRAS's LCP defaults (MRU 4091, MRRU, endpoint discriminator).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogEntry, LogLevel } from '../../../../main/engine/log.js';
import type { Phase } from '../../../../main/engine/failure.js';
import { emptyObservations, observe } from '../../../../main/services/doctor/observe.js';
import { recogniseServer } from '../../../../main/services/doctor/recognise.js';

const entry = (phase: Phase, message: string, level: LogLevel = 'debug'): LogEntry => ({
  time: 0,
  level,
  phase,
  message,
});
const fold = (lines: LogEntry[]) => {
  const o = emptyObservations();
  for (const l of lines) observe(o, l);
  return o;
};

const SOFTETHER = [
  entry('sstp', 'recv [SSTP CALL_CONNECT_ACK hashes=SHA256 nonce=2d48807d…]'),
  entry('lcp', 'send [LCP ConfReq id=0x1 <mru 1500> <magic 0x373295d>]'),
  entry('lcp', 'rcvd [LCP ConfRej id=0x1 <magic 0x373295d>]'),
  entry('lcp', 'rcvd [LCP ConfReq id=0x0 <auth eap>]'),
  entry('lcp', 'send [LCP ConfNak id=0x0 <auth chap MS-v2>]'),
  entry('lcp', 'rcvd [LCP EchoReq id=0x0 magic=0x0 41 68 6f 20 42 61 6b 61 20 4d 61 6e 75 6b 65 00]'),
  entry('lcp', 'rcvd [LCP ConfReq id=0x1 <auth chap MS-v2>]'),
  entry('auth', 'rcvd [MSCHAPv2 Challenge id=0x2 name="vm"]'),
  entry('ipcp', 'rcvd [IPCP ConfRej id=0x1 <ms-dns2 0.0.0.0>]'),
];

test('SoftEther: recognised from its echo signature and LCP habits, with the evidence', () => {
  const o = fold(SOFTETHER);
  assert.equal(o.echoData, 'Aho Baka Manuke');
  assert.deepEqual(o.serverAuthOrder, ['eap', 'chap MS-v2']);
  assert.deepEqual(o.rejectedByServer, ['magic']);
  assert.equal(o.offeredHashes, 'SHA256');
  assert.equal(o.challengeName, 'vm');
  const m = recogniseServer(o);
  assert.equal(m.length, 1);
  assert.equal(m[0]?.family, 'SoftEther VPN Server');
  assert.ok(m[0]?.evidence.some((e) => /Aho Baka Manuke/.test(e)));
  assert.ok(m[0]?.workarounds.length);
});

test('SoftEther without the echo (it came too late) is still named from the rest', () => {
  const m = recogniseServer(fold(SOFTETHER.filter((e) => !e.message.includes('EchoReq'))));
  assert.equal(m[0]?.family, 'SoftEther VPN Server');
});

test('accel-ppp: MRU 1452, PAP first, PFC/ACFC rejected, IPv6CP protocol-rejected', () => {
  const m = recogniseServer(
    fold([
      entry('lcp', 'rcvd [LCP ConfReq id=0x1 <auth pap> <mru 1452> <magic 0x5c1e2a4b>]'),
      entry('lcp', 'rcvd [LCP ConfRej id=0x1 <pcomp> <accomp>]'),
      entry('lcp', 'rcvd [LCP ConfNak id=0x2 <mru 1452>]'),
      entry('ipv6cp', 'rcvd [LCP ProtRej id=0x3 proto=IPV6CP]'),
    ]),
  );
  assert.equal(m[0]?.family, 'accel-ppp (e.g. VyOS)');
});

test('RRAS before 2012: MRU 4091, multilink options, SHA-1 binding only', () => {
  const o = fold([
    entry('sstp', 'recv [SSTP CALL_CONNECT_ACK hashes=SHA1 nonce=00112233…]'),
    entry('lcp', 'rcvd [LCP ConfReq id=0x1 <mru 4091> <auth eap> <magic 0x1> <mrru 1614> <endpoint class 1 00>]'),
  ]);
  const m = recogniseServer(o);
  assert.equal(m[0]?.family, 'Windows RRAS');
  assert.ok(m[0]?.evidence.some((e) => /SHA-1/.test(e)));
});

test('an unknown server is not guessed; garbage lines are ignored without throwing', () => {
  const o = fold([
    entry('lcp', 'rcvd [LCP ConfReq id=0x1 <mru 1400>]'),
    entry('lcp', 'rcvd [LCP EchoReq id=0x0 magic=0x0 zz]'),
    entry('sstp', 'recv [SSTP CALL_CONNECT_ACK]'),
    entry('lcp', '\u0000<<>>'),
  ]);
  assert.deepEqual(recogniseServer(o), []);
});
