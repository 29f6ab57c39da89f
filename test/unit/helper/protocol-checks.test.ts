// The wire protocol's hand-written checks (main/helper/check.ts, protocol.ts), table-driven: good
// requests parse to their canonical form, bad ones name the first bad field and why, and answers
// the helper writes are read back by the client's side. validation.test.ts drives the same checks
// through Helper.handleLine; protocol-fuzz.test.ts throws random lines at them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describe } from '../../../main/helper/check.js';
import {
  helloResult,
  killSwitchArmResult,
  LIMITS,
  request,
  response,
  setRoutesResult,
} from '../../../main/helper/protocol.js';
import { undoStep } from '../../../main/helper/root/undo-step.js';

const GOOD: readonly [string, Record<string, unknown>, Record<string, unknown>?][] = [
  ['hello', { id: 0, verb: 'hello' }],
  ['create-tun without a name', { id: 1, verb: 'create-tun', uid: 1000 }],
  ['create-tun named', { id: 0x7fffffff, verb: 'create-tun', name: 'cw-Tun_0', uid: 0 }],
  ['open-tun', { id: 2, verb: 'open-tun', name: 'causeway0', offload: false }],
  [
    'configure: /32 dropped, IPv6 canonical',
    {
      id: 3,
      verb: 'configure',
      name: 'causeway0',
      address: '10.0.0.2/32',
      peer: '10.0.0.1',
      mtu: 576,
      ipv6: { address: 'FE80:0::2/64' },
    },
    {
      id: 3,
      verb: 'configure',
      name: 'causeway0',
      address: '10.0.0.2',
      peer: '10.0.0.1',
      mtu: 576,
      ipv6: { address: 'fe80::2/64' },
    },
  ],
  [
    'set-routes: CIDRs parsed with their family',
    {
      id: 4,
      verb: 'set-routes',
      name: 'causeway0',
      mode: 'split',
      routes: ['10.1.0.0/16', '2001:DB8::/32'],
      serverAddress: '2001:db8::0:1',
      serverAddresses: ['198.51.100.1'],
    },
    {
      id: 4,
      verb: 'set-routes',
      name: 'causeway0',
      mode: 'split',
      routes: [
        { text: '10.1.0.0/16', family: 4 },
        { text: '2001:db8::/32', family: 6 },
      ],
      serverAddress: '2001:db8::1',
      serverAddresses: ['198.51.100.1'],
    },
  ],
  [
    'set-dns',
    {
      id: 5,
      verb: 'set-dns',
      name: 'causeway0',
      servers: ['10.0.0.53', '::1'],
      searchDomains: ['corp.example'],
      defaultRoute: true,
    },
  ],
  ['teardown', { id: 6, verb: 'teardown' }],
  [
    'kill-switch-arm',
    { id: 7, verb: 'kill-switch-arm', endpoints: [{ address: '203.0.113.7', port: 443 }], allowLan: true },
  ],
  ['kill-switch-disarm', { id: 8, verb: 'kill-switch-disarm' }],
  [
    'set-ipv6',
    {
      id: 9,
      verb: 'set-ipv6',
      name: 'causeway0',
      linkLocal: 'fe80::1/64',
      global: { address: '2001:db8:1::5/64', validLifetime: 0xffffffff, preferredLifetime: 0 },
    },
  ],
  ['set-ipv6 without addresses (IPv6 gone)', { id: 10, verb: 'set-ipv6', name: 'causeway0' }],
];

test('good requests parse to their canonical form; absent optional fields stay absent', () => {
  for (const [why, input, canonical] of GOOD) {
    const r = request(JSON.parse(JSON.stringify(input)), '');
    assert.ok(r.ok, `${why}: ${r.ok ? '' : describe(r)}`);
    assert.deepEqual(r.value, canonical ?? input, why);
    assert.deepEqual(Object.keys(r.value), Object.keys(canonical ?? input), `${why}: no keys added`);
  }
});

const configure = { id: 1, verb: 'configure', name: 'causeway0', address: '10.0.0.2', peer: '10.0.0.1', mtu: 1400 };
const routes = {
  id: 1,
  verb: 'set-routes',
  name: 'causeway0',
  mode: 'full',
  routes: [],
  serverAddress: '198.51.100.7',
};
const dns = { id: 1, verb: 'set-dns', name: 'causeway0', servers: ['10.0.0.53'] };
const arm = { id: 1, verb: 'kill-switch-arm', endpoints: [{ address: '203.0.113.7', port: 443 }] };
const ipv6 = { id: 1, verb: 'set-ipv6', name: 'causeway0' };

/** [why, request, the whole `path: reason` expected]. */
const BAD: readonly [string, unknown, string][] = [
  ['not an object', ['hello'], '(request): expected an object'],
  [
    'unknown verb',
    { id: 1, verb: 'exec' },
    'verb: expected one of hello, create-tun, open-tun, configure, set-routes, set-dns, teardown, kill-switch-arm, kill-switch-disarm, set-ipv6',
  ],
  ['unknown field, named', { id: 1, verb: 'hello', extra: 1, more: 2 }, '(request): unknown field "extra", "more"'],
  [
    '__proto__ as a field',
    JSON.parse('{"id":1,"verb":"hello","__proto__":{"x":1}}'),
    '(request): unknown field "__proto__"',
  ],
  ['id missing', { verb: 'hello' }, 'id: required'],
  ['id fractional', { id: 1.5, verb: 'hello' }, 'id: expected an integer'],
  ['id over 31 bits', { id: 2 ** 31, verb: 'hello' }, 'id: must be 0..2147483647'],
  ['uid as text', { id: 1, verb: 'create-tun', uid: '0' }, 'uid: expected an integer'],
  ["uid 2^31 - 1 (nobody's -1 twin)", { id: 1, verb: 'create-tun', uid: 0x7fffffff }, 'uid: must be 0..2147483646'],
  [
    'name an option to ip',
    { id: 1, verb: 'open-tun', name: '-x' },
    'name: must be 1-15 of A-Z a-z 0-9 _ -, starting with a letter',
  ],
  [
    'name 16 long (IFNAMSIZ)',
    { id: 1, verb: 'open-tun', name: 'a'.repeat(16) },
    'name: must be 1-15 of A-Z a-z 0-9 _ -, starting with a letter',
  ],
  [
    'name with a newline',
    { id: 1, verb: 'open-tun', name: 'tun0\n' },
    'name: must be 1-15 of A-Z a-z 0-9 _ -, starting with a letter',
  ],
  ['name an object with toString', { id: 1, verb: 'open-tun', name: { toString: 'x' } }, 'name: expected a string'],
  [
    'offload as text',
    { id: 1, verb: 'open-tun', name: 'causeway0', offload: 'yes' },
    'offload: expected true or false',
  ],
  [
    'address with a prefix other than /32',
    { ...configure, address: '10.0.0.2/24' },
    'address: not an IPv4 address (optionally /32)',
  ],
  [
    'address with a leading zero',
    { ...configure, address: '010.0.0.2' },
    'address: not an IPv4 address (optionally /32)',
  ],
  ['peer IPv6', { ...configure, peer: '::1' }, 'peer: not an IPv4 address'],
  ["mtu below IPv4's minimum", { ...configure, mtu: LIMITS.mtuMin - 1 }, 'mtu: must be 576..9000'],
  [
    'ipv6 without a prefix',
    { ...configure, ipv6: { address: 'fe80::1' } },
    'ipv6.address: not an IPv6 address/prefix (64..128)',
  ],
  [
    'ipv6 with a zone',
    { ...configure, ipv6: { address: 'fe80::1%eth0/64' } },
    'ipv6.address: not an IPv6 address/prefix (64..128)',
  ],
  ['ipv6 with an extra field', { ...configure, ipv6: { address: 'fe80::1/64', up: 'sh' } }, 'ipv6: unknown field "up"'],
  ['mode', { ...routes, mode: 'all' }, 'mode: expected one of full, split'],
  [
    'route with host bits',
    { ...routes, routes: ['10.0.0.0/8', '10.0.0.1/8'] },
    'routes.1: not a CIDR: host bits set below the prefix',
  ],
  ['route not a CIDR', { ...routes, routes: ['default'] }, 'routes.0: not a CIDR: '],
  ['routes not an array', { ...routes, routes: '10.0.0.0/8' }, 'routes: expected an array'],
  [
    '65 routes',
    { ...routes, routes: Array.from({ length: 65 }, (_, i) => `10.${i}.0.0/16`) },
    'routes: at most 64 routes',
  ],
  ['server a CIDR', { ...routes, serverAddress: '198.51.100.0/24' }, 'serverAddress: not an IPv4 or IPv6 address'],
  [
    '33 server addresses',
    { ...routes, serverAddresses: Array(33).fill('198.51.100.1') },
    'serverAddresses: at most 32 server addresses',
  ],
  ['no DNS server', { ...dns, servers: [] }, 'servers: at least one server'],
  ['5 DNS servers', { ...dns, servers: Array(5).fill('1.1.1.1') }, 'servers: at most 4 servers'],
  [
    'a search domain with a newline',
    { ...dns, searchDomains: ['x\nnameserver 6.6.6.6'] },
    'searchDomains.0: not a domain name',
  ],
  [
    '9 search domains',
    { ...dns, searchDomains: Array(9).fill('a.example') },
    'searchDomains: at most 8 search domains',
  ],
  ['no endpoint', { ...arm, endpoints: [] }, 'endpoints: at least one endpoint'],
  [
    'endpoint port 0',
    { ...arm, endpoints: [{ address: '203.0.113.7', port: 0 }] },
    'endpoints.0.port: must be 1..65535',
  ],
  ['endpoint missing its port', { ...arm, endpoints: [{ address: '203.0.113.7' }] }, 'endpoints.0.port: required'],
  ['link-local not fe80::/64', { ...ipv6, linkLocal: '2001:db8::1/64' }, 'linkLocal: not fe80::…/64'],
  [
    'global link-local',
    { ...ipv6, global: { address: 'fe80::5/64', validLifetime: 1, preferredLifetime: 1 } },
    'global.address: not a global …/64',
  ],
  [
    'lifetime over 32 bits',
    { ...ipv6, global: { address: '2001:db8::5/64', validLifetime: 2 ** 32, preferredLifetime: 1 } },
    'global.validLifetime: must be 0..4294967295',
  ],
];

test('bad requests: the first bad field and why, never the value itself', () => {
  for (const [why, input, expected] of BAD) {
    const r = request(input, '');
    assert.equal(r.ok, false, why);
    if (r.ok) continue;
    if (expected.endsWith(': ')) assert.ok(describe(r).startsWith(expected), `${why}: ${describe(r)}`);
    else assert.equal(describe(r), expected, why);
  }
});

test("the helper's answers read back as the client reads them", () => {
  const good: [typeof response | typeof helloResult | typeof setRoutesResult | typeof killSwitchArmResult, unknown][] =
    [
      [response, { id: 3, ok: true, result: { name: 'causeway0' } }],
      [response, { id: null, ok: false, error: { code: 'too-large', message: 'request over 16384 bytes' } }],
      [helloResult, { protocol: 2, version: '0.1.0', pid: 7, uid: 0, killSwitch: 'adopted' }],
      [setRoutesResult, { serverRoute: { destination: '198.51.100.7', gateway: '192.168.1.1', dev: 'eth0' } }],
      [killSwitchArmResult, { tunnel: null }],
    ];
  for (const [check, value] of good) assert.deepEqual(check(value, ''), { ok: true, value });
  const bad: [typeof response, unknown, string][] = [
    [response, { id: 1, ok: 'yes', result: {} }, 'ok: expected one of true, false'],
    [response, { id: 1, ok: true, result: [] }, 'result: expected an object'],
    [
      response,
      { id: 1, ok: false, error: { code: 'oops', message: '' } },
      'error.code: expected one of bad-request, too-large, unknown-verb, invalid, refused, failed, shutting-down',
    ],
    [response, { id: 1, ok: true, result: {}, error: {} }, '(request): unknown field "error"'],
  ];
  for (const [check, value, expected] of bad) {
    const r = check(value, '');
    assert.equal(r.ok ? 'accepted' : describe(r), expected);
  }
});

test("the state file's undo steps are checked as strictly as requests", () => {
  const step = { kind: 'delete-route', group: 'routes', destination: '10.1.0.0/16', dev: 'causeway0' };
  assert.deepEqual(undoStep(step, ''), { ok: true, value: step });
  const bad: [unknown, string][] = [
    [{ ...step, kind: 'run-shell' }, 'kind: expected one of'],
    [{ ...step, group: 'dns' }, 'group: expected "routes"'],
    [{ ...step, dev: 'eth0;reboot' }, 'dev: not an interface name'],
    [{ ...step, destination: '10.1.0.1/16' }, 'destination: not a CIDR'],
    [{ ...step, gateway: 'router' }, 'gateway: not an IP address'],
    [
      { kind: 'restore-resolv-conf', group: 'dns', original: 'x'.repeat(64 * 1024 + 1), written: '' },
      'original: too long',
    ],
    [
      { kind: 'delete-unreachable6', group: 'v6-block', destination: '::/1', metric: -1 },
      'metric: must be 0..4294967295',
    ],
  ];
  for (const [value, expected] of bad) {
    const r = undoStep(value, '');
    assert.ok(
      !r.ok && describe(r).startsWith(expected),
      `${JSON.stringify(value).slice(0, 80)}: ${r.ok ? 'accepted' : describe(r)}`,
    );
  }
});
