import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor, REDACTED } from '../../../../main/services/logs/redact.js';

test('known secrets are scrubbed wherever and however they appear', () => {
  const pw = 'Tr0ub4dor&3';
  const r = createRedactor([pw]);
  for (const line of [
    `login with ${pw} failed`,
    `url=https://x/?p=${encodeURIComponent(pw)}`,
    `b64 ${Buffer.from(pw).toString('base64')}`,
    `utf16 ${Buffer.from(pw, 'utf16le').toString('hex')}`,
    `json {"p":${JSON.stringify(pw)}}`,
  ]) {
    const out = r(line);
    assert.equal(out.includes(pw), false, out);
    assert.ok(out.includes(REDACTED), out);
  }
});

test('pattern redaction without knowing the value', () => {
  const r = createRedactor();
  const cases: Array<[string, string]> = [
    ['user=bob password=hunter22 host=x', 'user=bob password=[redacted] host=x'],
    ['{"passwd":"abc123","user":"bob"}', '{"passwd":"[redacted]","user":"bob"}'],
    ['Proxy-Authorization: Basic Ym9iOmh1bnRlcjI=', 'Proxy-Authorization: [redacted]'],
    ['authorization: NTLM TlRMTVNTUAAB', 'authorization: [redacted]'],
    [
      'rcvd [CHAP Success id=0x1 "S=0123456789ABCDEF0123456789ABCDEF01234567 M=ok"]',
      'rcvd [CHAP Success id=0x1 "S=[redacted] M=ok"]',
    ],
    ['NT-Response: 0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'NT-Response: [redacted]'],
    ['mppe key=00112233445566778899aabbccddeeff', 'mppe key=[redacted]'],
    [
      'send [CHAP Response id=0x1 <00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff>]',
      'send [CHAP Response id=0x1 <[redacted]>]',
    ],
  ];
  for (const [input, expected] of cases) assert.equal(r(input), expected);
});

test('ordinary trace lines are left alone', () => {
  const r = createRedactor(['xy']); // too short to scrub by value
  for (const line of [
    'send [LCP ConfReq id=0x1 <mru 1500> <magic 0x5f3e2a1b>]',
    'rcvd [IPCP ConfAck id=0x2 <addr 10.8.0.2>]',
    'TLS handshake done: TLSv1.3 TLS_AES_256_GCM_SHA384',
    'proxy responded 407 Proxy Authentication Required',
  ]) {
    assert.equal(r(line), line);
  }
});
