import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeIssues, validateProfile, type ProfileDraft } from '../../../../main/contract/profile.js';
import { createProfile } from '../../../../main/services/profiles/schema.js';
import { MAX_ROUTES } from '../../../../main/engine/addresses.js';
import { LIMITS } from '../../../../main/helper/protocol.js';

const minimal: ProfileDraft = { name: 'Office', server: { host: 'vpn.example.test' }, username: 'alice' };

test('a minimal draft gets an id, version 1 and safe defaults', () => {
  const r = createProfile(minimal);
  assert.ok(r.ok);
  const p = r.value;
  assert.equal(p.version, 1);
  assert.match(p.id, /^[0-9a-f-]{36}$/);
  assert.equal(p.server.port, 443);
  assert.deepEqual(p.tls, { minVersion: 'TLSv1.2', insecure: false });
  assert.deepEqual(p.routing, { mode: 'full' });
  assert.deepEqual(p.authMethods, ['mschapv2', 'eap-mschapv2']);
  assert.equal(p.autoConnect, false);
});

test('a created profile validates again unchanged (stored files round-trip)', () => {
  const r = createProfile({
    ...minimal,
    tls: {
      pinnedSha256: 'AB:'.repeat(31) + 'AB',
      sni: 'front.example.test',
      clientCertificate: { pkcs12File: '/x/me.p12' },
    },
    proxy: { host: '10.0.0.1', port: 3128, username: 'p' },
    routing: { mode: 'split', routes: ['10.1.0.0/16', 'fd00::/8'] },
    mtu: 1400,
    reconnect: { enabled: true, maxAttempts: 5 },
  });
  assert.ok(r.ok);
  assert.equal(r.value.tls.pinnedSha256, 'ab'.repeat(32));
  const again = validateProfile(JSON.parse(JSON.stringify(r.value)));
  assert.ok(again.ok);
  assert.deepEqual(again.value, r.value);
});

test('errors name the field and the problem', () => {
  const r = createProfile({
    name: '',
    server: { host: 'bad host', port: 70000 },
    username: 'x',
    authMethods: [],
    routing: { mode: 'split', routes: ['10.0.0.0/33'] },
    mtu: 100,
  });
  assert.ok(!r.ok);
  const text = describeIssues(r.issues);
  for (const expected of [
    'name: must not be empty',
    'server.host: must be a host name',
    'server.port: must be between 1 and 65535',
    'authMethods: must allow at least one method',
    'routing.routes[0]: must be an IPv4 or IPv6 network',
    'mtu: must be between 576 and 1500',
  ]) {
    assert.ok(text.includes(expected), `missing "${expected}" in: ${text}`);
  }
});

test('unknown keys are rejected at every level', () => {
  const ok = createProfile(minimal);
  assert.ok(ok.ok);
  const stored = { ...ok.value, password: 'hunter2', tls: { ...ok.value.tls, verify: false } };
  const r = validateProfile(stored);
  assert.ok(!r.ok);
  const text = describeIssues(r.issues);
  assert.match(text, /\(profile\): unknown field "password"/);
  assert.match(text, /tls: unknown field "verify"/);
});

test('control characters in names are refused (no forged lines in output)', () => {
  const r = createProfile({ ...minimal, name: 'evil\nOK: connected' });
  assert.ok(!r.ok);
  assert.equal(r.issues[0]?.path, 'name');
});

test('split routing needs networks; auth methods must be known and distinct', () => {
  const a = createProfile({ ...minimal, routing: { mode: 'split', routes: [] } });
  assert.ok(!a.ok);
  const b = createProfile({ ...minimal, authMethods: ['pap', 'pap'] });
  assert.ok(!b.ok);
  const c = createProfile({ ...minimal, authMethods: ['ntlm'] } as unknown as ProfileDraft);
  assert.ok(!c.ok);
  assert.match(describeIssues(c.issues), /authMethods\[0\]: must be one of pap, chap, mschapv2, eap-mschapv2/);
});

test('wrong version and bad uuid are reported', () => {
  const ok = createProfile(minimal);
  assert.ok(ok.ok);
  const r = validateProfile({ ...ok.value, version: 2, id: 'nope' });
  assert.ok(!r.ok);
  const text = describeIssues(r.issues);
  assert.match(text, /version: must be 1/);
  assert.match(text, /id: must be a UUID/);
});

test("routes: the helper's limit and parser decide at save time, not after authentication", () => {
  const base: ProfileDraft = { name: 'R', server: { host: 'vpn.example.test' }, username: 'u' };
  const withRoutes = (routes: string[]) => createProfile({ ...base, routing: { mode: 'split', routes } });
  const hostBits = withRoutes(['10.1.2.3/16']);
  assert.equal(hostBits.ok, false);
  if (!hostBits.ok)
    assert.match(
      describeIssues(hostBits.issues),
      /routing\.routes\[0\].*10\.1\.2\.3\/16 has host bits set below the prefix \(the network is 10\.1\.0\.0\/16\)/,
    );
  const v6 = withRoutes(['fd00::1/8']);
  assert.ok(!v6.ok && /the network is fd00::\/8/.test(describeIssues(v6.issues)));
  for (const bad of ['10.1.0.0', '10.1.0.0/33', '010.1.0.0/16', 'fe80::1%eth0/64', '10.1.0.0/16 ']) {
    assert.equal(withRoutes([bad]).ok, false, bad);
  }
  const at = (n: number) => Array.from({ length: n }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`);
  assert.equal(withRoutes(at(MAX_ROUTES)).ok, true);
  const over = withRoutes(at(MAX_ROUTES + 1));
  assert.ok(!over.ok && new RegExp(`at most ${MAX_ROUTES} networks`).test(describeIssues(over.issues)));
  // The same list the helper accepts as a set-routes request.
  assert.equal(LIMITS.maxRoutes, MAX_ROUTES);
});
