// The kill switch's nftables script, rule by rule, for each kind of connection it must allow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  killSwitchRemoveScript,
  killSwitchScript,
  LAN_IPV4,
  LAN_IPV6,
  type KillSwitchPolicy,
} from '../../../main/helper/root/kill-switch-rules.js';

/** The rules of one chain, without indentation, in order. */
function chainRules(script: string, name: string): string[] {
  const lines = script.split('\n').map((l) => l.trim());
  const start = lines.indexOf(`chain ${name} {`);
  assert.ok(start >= 0, `no chain ${name}`);
  const end = lines.indexOf('}', start);
  return lines.slice(start + 1, end);
}

const server4 = { family: 4 as const, address: '203.0.113.5', port: 443 };
const server6 = { family: 6 as const, address: '2001:db8::5', port: 443 };
const proxy = { family: 4 as const, address: '192.0.2.80', port: 3128 };
const lanOut = [`ip daddr { ${LAN_IPV4.join(', ')} } accept`, `ip6 daddr { ${LAN_IPV6.join(', ')} } accept`];
const lanIn = [`ip saddr { ${LAN_IPV4.join(', ')} } accept`, `ip6 saddr { ${LAN_IPV6.join(', ')} } accept`];
const base = {
  outHead: ['type filter hook output priority filter; policy accept;', 'oifname "lo" accept'],
  outDhcp: [
    'meta nfproto ipv4 udp sport 68 udp dport 67 accept',
    'meta nfproto ipv6 udp sport 546 udp dport 547 accept',
    'icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept',
  ],
  reject: 'reject with icmpx type admin-prohibited',
};

const cases: { name: string; policy: KillSwitchPolicy; output: string[]; input: string[]; forward: string[] }[] = [
  {
    name: 'connecting (no tunnel yet), one IPv4 server',
    policy: { endpoints: [server4], allowLan: false },
    output: [...base.outHead, 'ip daddr 203.0.113.5 tcp dport 443 accept', ...base.outDhcp, base.reject],
    input: ['iifname "lo" accept', 'ip saddr 203.0.113.5 tcp sport 443 accept'],
    forward: [base.reject],
  },
  {
    name: 'connected, full or split alike: the tunnel is allowed both ways',
    policy: { tunnel: 'causeway0', endpoints: [server4], allowLan: false },
    output: [
      ...base.outHead,
      'oifname "causeway0" accept',
      'ip daddr 203.0.113.5 tcp dport 443 accept',
      ...base.outDhcp,
      base.reject,
    ],
    input: ['iifname "lo" accept', 'iifname "causeway0" accept', 'ip saddr 203.0.113.5 tcp sport 443 accept'],
    forward: ['oifname "causeway0" accept', 'iifname "causeway0" accept', base.reject],
  },
  {
    name: 'dual-stack server: both families, ip6 for the IPv6 address',
    policy: { tunnel: 'causeway0', endpoints: [server4, { ...server6, port: 8443 }], allowLan: false },
    output: [
      ...base.outHead,
      'oifname "causeway0" accept',
      'ip daddr 203.0.113.5 tcp dport 443 accept',
      'ip6 daddr 2001:db8::5 tcp dport 8443 accept',
      ...base.outDhcp,
      base.reject,
    ],
    input: [
      'iifname "lo" accept',
      'iifname "causeway0" accept',
      'ip saddr 203.0.113.5 tcp sport 443 accept',
      'ip6 saddr 2001:db8::5 tcp sport 8443 accept',
    ],
    forward: ['oifname "causeway0" accept', 'iifname "causeway0" accept', base.reject],
  },
  {
    name: 'through a proxy: the proxy is the only endpoint',
    policy: { tunnel: 'causeway1', endpoints: [proxy], allowLan: false },
    output: [
      ...base.outHead,
      'oifname "causeway1" accept',
      'ip daddr 192.0.2.80 tcp dport 3128 accept',
      ...base.outDhcp,
      base.reject,
    ],
    input: ['iifname "lo" accept', 'iifname "causeway1" accept', 'ip saddr 192.0.2.80 tcp sport 3128 accept'],
    forward: ['oifname "causeway1" accept', 'iifname "causeway1" accept', base.reject],
  },
  {
    name: 'LAN allowed: private, link-local and local multicast, both families, forward within the LAN',
    policy: { tunnel: 'causeway0', endpoints: [server4], allowLan: true },
    output: [
      ...base.outHead,
      'oifname "causeway0" accept',
      'ip daddr 203.0.113.5 tcp dport 443 accept',
      ...base.outDhcp,
      ...lanOut,
      base.reject,
    ],
    input: ['iifname "lo" accept', 'iifname "causeway0" accept', 'ip saddr 203.0.113.5 tcp sport 443 accept', ...lanIn],
    forward: [
      'oifname "causeway0" accept',
      'iifname "causeway0" accept',
      `ip saddr { ${LAN_IPV4.join(', ')} } ip daddr { ${LAN_IPV4.join(', ')} } accept`,
      `ip6 saddr { ${LAN_IPV6.join(', ')} } ip6 daddr { ${LAN_IPV6.join(', ')} } accept`,
      base.reject,
    ],
  },
];

const inputFixed = [
  'meta l4proto { icmp, ipv6-icmp } ct state related accept',
  'meta nfproto ipv4 udp sport 67 udp dport 68 accept',
  'meta nfproto ipv6 udp sport 547 udp dport 546 accept',
  'icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept',
];

for (const c of cases) {
  test(`kill switch rules: ${c.name}`, () => {
    const script = killSwitchScript(c.policy);
    assert.deepEqual(chainRules(script, 'output'), c.output);
    // Input: the fixed plumbing goes after the endpoints; LAN (when allowed) after it; policy drop, no final rule.
    const inputLan = c.policy.allowLan ? lanIn : [];
    const head = c.input.slice(0, c.input.length - inputLan.length);
    assert.deepEqual(chainRules(script, 'input'), [
      'type filter hook input priority filter; policy drop;',
      ...head,
      ...inputFixed,
      ...inputLan,
    ]);
    assert.deepEqual(chainRules(script, 'forward'), [
      'type filter hook forward priority filter; policy accept;',
      ...c.forward,
    ]);
  });
}

test('kill switch script replaces the whole table in one transaction', () => {
  const lines = killSwitchScript({ endpoints: [server4], allowLan: false }).split('\n');
  // add (no-op if present) + delete + create: atomic under `nft -f`, and never fails on a first arm.
  assert.deepEqual(lines.slice(0, 3), [
    'add table inet causeway',
    'delete table inet causeway',
    'table inet causeway {',
  ]);
  assert.equal(lines.filter((l) => l.startsWith('table ')).length, 1);
  // Nothing is ever flushed or touched outside our table.
  assert.ok(!/flush ruleset|table ip |table ip6 /.test(lines.join('\n')));
  assert.equal(killSwitchRemoveScript(), 'delete table inet causeway\n');
});

test('kill switch: DNS is never allowed outside the tunnel (the server is resolved before arming)', () => {
  const script = killSwitchScript({ tunnel: 'causeway0', endpoints: [server4, server6], allowLan: false });
  assert.ok(!/dport 53\b|sport 53\b/.test(script));
});
