import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cidrContains,
  formatCidr,
  formatIp,
  isDomainName,
  parseCidr,
  parseIp,
} from '../../../main/engine/addresses.js';

test('IPv4 and IPv6 addresses are parsed strictly and printed canonically', () => {
  const good: [string, string][] = [
    ['10.0.0.1', '10.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::0001', 'fe80::1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:1:0:1:1:1:1', '2001:db8:1:0:1:1:1:1'],
  ];
  for (const [input, canonical] of good) {
    const ip = parseIp(input);
    assert.ok(ip, input);
    assert.equal(formatIp(ip), canonical, input);
  }
  const bad = [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.-4',
    '0x1.2.3.4',
    '1e1.2.3.4',
    '::g',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::',
    'fe80::1%eth0',
    '[::1]',
    '1.2.3.4::',
    ':1::',
    '::1:',
    'localhost',
    '1.2.3.4/32',
    '١.٢.٣.٤',
  ];
  for (const input of bad) assert.equal(parseIp(input), undefined, JSON.stringify(input));
});

test('CIDRs need a prefix in range and no host bits', () => {
  for (const [input, canonical] of [
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['1.2.3.4/32', '1.2.3.4/32'],
    ['::/0', '::/0'],
  ]) {
    const r = parseCidr(input as string);
    assert.ok(r.ok, input);
    assert.equal(formatCidr(r.cidr), canonical);
  }
  for (const input of [
    '10.0.0.0/33',
    '10.0.0.1/8',
    '10.0.0.0',
    '10.0.0.0/',
    '10.0.0.0/08',
    '10.0.0.0/-1',
    '::/129',
    '1.2.3/24',
    '10.0.0.0/8/8',
    '::g/64',
    '10.0.0.0/ 8',
  ]) {
    assert.equal(parseCidr(input).ok, false, input);
  }
});

test('containment', () => {
  const c = parseCidr('10.1.0.0/16');
  assert.ok(c.ok);
  assert.equal(cidrContains(c.cidr, parseIp('10.1.200.3')!), true);
  assert.equal(cidrContains(c.cidr, parseIp('10.2.0.1')!), false);
  assert.equal(cidrContains(c.cidr, parseIp('::1')!), false);
});

test('domain names', () => {
  for (const d of ['corp.example', 'example.', 'a', 'x-1.y_2.example']) assert.equal(isDomainName(d), true, d);
  for (const d of [
    '',
    '.',
    '-a.example',
    'a-.example',
    'a..b',
    'a b',
    'a;b',
    `${'a'.repeat(64)}.x`,
    `${'a.'.repeat(130)}x`,
    'ex\nample',
  ]) {
    assert.equal(isDomainName(d), false, d);
  }
});
