import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { decideTrust } from '../../../../main/services/trust/decide.js';
import { systemAnchors } from '../../../../main/services/trust/anchors.js';
import { sha256Hex } from '../../../../main/services/trust/certificate.js';
import { issue } from './helpers/certs.js';

const HOST = 'sstp.example.test';
const ca = issue({ cn: 'Causeway Test CA', isCa: true });
const otherCa = issue({ cn: 'Someone Else CA', isCa: true });
const good = issue({ cn: HOST, dns: [HOST], issuer: ca });
const selfSigned = issue({ cn: HOST, dns: [HOST] });
const expired = issue({
  cn: HOST,
  dns: [HOST],
  issuer: ca,
  notBefore: new Date(Date.now() - 60 * 86400_000),
  notAfter: new Date(Date.now() - 86400_000),
});
const wrongHost = issue({ cn: 'other.example.test', dns: ['other.example.test'], issuer: ca });
const replaced = issue({ cn: HOST, dns: [HOST], issuer: ca });
const byOther = issue({ cn: HOST, dns: [HOST], issuer: otherCa });
const intermediate = issue({ cn: 'Causeway Intermediate', isCa: true, issuer: ca });
const viaIntermediate = issue({ cn: HOST, dns: [HOST], issuer: intermediate });
const byIp = issue({ cn: '192.0.2.7', ips: ['192.0.2.7'], issuer: ca });

const anchors = [new X509Certificate(ca.der)];
const profile = (tls: { pinnedSha256?: string; insecure?: boolean; sni?: string } = {}, host = HOST) => ({
  server: { host, port: 443 },
  tls: { minVersion: 'TLSv1.2' as const, insecure: false, ...tls },
});

test('CA-signed, right host, in date: trusted by the CA', () => {
  const d = decideTrust(profile(), [good.der], { anchors });
  assert.equal(d.kind, 'trusted');
  assert.ok(d.kind === 'trusted' && d.by === 'ca');
});

test('each problem is named distinctly', () => {
  const cases: Array<[string, Buffer[], string[]]> = [
    ['self-signed', [selfSigned.der], ['self-signed']],
    ['expired', [expired.der], ['expired']],
    ['wrong host', [wrongHost.der], ['host-mismatch']],
    ['unknown issuer', [byOther.der], ['untrusted-issuer']],
  ];
  for (const [name, chain, problems] of cases) {
    const d = decideTrust(profile(), chain, { anchors });
    assert.equal(d.kind, 'unknown', name);
    assert.ok(d.kind === 'unknown');
    assert.deepEqual(d.problems, problems, name);
    assert.equal(d.chain.length, chain.length);
  }
});

test('a chain through a presented intermediate is trusted; without it the issuer is unknown', () => {
  assert.equal(decideTrust(profile(), [viaIntermediate.der, intermediate.der], { anchors }).kind, 'trusted');
  const d = decideTrust(profile(), [viaIntermediate.der], { anchors });
  assert.ok(d.kind === 'unknown' && d.problems.includes('untrusted-issuer'));
});

test('a non-CA certificate cannot act as an intermediate', () => {
  const fakeIssuer = issue({ cn: 'leafy', dns: ['leafy.example.test'], issuer: ca });
  const underLeaf = issue({ cn: HOST, dns: [HOST], issuer: fakeIssuer });
  const d = decideTrust(profile(), [underLeaf.der, fakeIssuer.der], { anchors });
  assert.ok(d.kind === 'unknown' && d.problems.includes('untrusted-issuer'));
});

test('host names: SNI is checked when set, IP addresses against IP SANs', () => {
  assert.equal(decideTrust(profile({}, '192.0.2.7'), [byIp.der], { anchors }).kind, 'trusted');
  const d = decideTrust(profile({ sni: 'other.example.test' }), [good.der], { anchors });
  assert.ok(d.kind === 'unknown' && d.problems.includes('host-mismatch'));
});

test('a private CA is not trusted by the system roots', () => {
  const d = decideTrust(profile(), [good.der], { anchors: systemAnchors() });
  assert.ok(d.kind === 'unknown' && d.problems.includes('untrusted-issuer'));
});

test('a self-signed server certificate imported as the CA is trusted', () => {
  assert.equal(
    decideTrust(profile(), [selfSigned.der], { anchors: [new X509Certificate(selfSigned.der)] }).kind,
    'trusted',
  );
});

test('pinned: the same leaf is trusted whatever its chain; a changed one is a pin-mismatch', () => {
  const pin = sha256Hex(selfSigned.der);
  const same = decideTrust(profile({ pinnedSha256: pin }), [selfSigned.der], { anchors: [] });
  assert.ok(same.kind === 'trusted' && same.by === 'pin');
  // Even a perfectly CA-valid replacement is loud once a pin exists.
  const changed = decideTrust(profile({ pinnedSha256: pin }), [replaced.der], { anchors });
  assert.equal(changed.kind, 'pin-mismatch');
  assert.ok(changed.kind === 'pin-mismatch');
  assert.notEqual(changed.expected, changed.presented);
  assert.match(changed.expected, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(changed.presented, changed.certificate.sha256);
});

test('insecure accepts anything but still reports the certificate', () => {
  const d = decideTrust(profile({ insecure: true }), [expired.der], { anchors: [] });
  assert.ok(d.kind === 'trusted' && d.by === 'insecure');
  assert.equal(d.certificate.subject, `CN=${HOST}, O=Causeway Tests`);
});
