// The inner-certificate judge, table-driven: pins, chains through an intermediate the server sent,
// validity at a given time, names, and what the failure tells the user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeInnerCertificate } from '../../../../../main/engine/ppp/auth/eap-tls-trust.js';
import type { InnerTrust } from '../../../../../main/engine/ppp/auth/eap-tls-trust.js';
import { EXPIRED, makeTestCa } from '../../../../harness/softether-certs.js';

const root = makeTestCa('Inner Root');
const mid = root.intermediate('Inner Intermediate');
const leaf = mid.issue({
  commonName: 'nps.corp.test',
  altNames: ['DNS:nps.corp.test', 'IP:10.1.2.3'],
  purpose: 'server',
});
const direct = root.issue({ commonName: 'radius.corp.test', altNames: ['DNS:radius.corp.test'], purpose: 'server' });
const old = root.issue({ commonName: 'old.corp.test', altNames: ['DNS:old.corp.test'], purpose: 'server', ...EXPIRED });
const notCa = makeTestCa('Unrelated');
const now = Date.now();

const cases: { name: string; chain: Buffer[]; trust: InnerTrust; ok: boolean; why?: RegExp; at?: number }[] = [
  {
    name: 'leaf + intermediate to the root',
    chain: [leaf.der, mid.der],
    trust: { policy: { caPem: root.certPem }, serverName: 'nps.corp.test' },
    ok: true,
  },
  {
    name: 'IP name',
    chain: [leaf.der, mid.der],
    trust: { policy: { caPem: root.certPem }, serverName: '10.1.2.3' },
    ok: true,
  },
  {
    name: 'intermediate missing',
    chain: [leaf.der],
    trust: { policy: { caPem: root.certPem } },
    ok: false,
    why: /issued by an authority this profile does not trust/,
  },
  { name: 'intermediate as the anchor', chain: [leaf.der], trust: { policy: { caPem: mid.certPem } }, ok: true },
  {
    name: 'no name check without serverName',
    chain: [direct.der],
    trust: { policy: { caPem: root.certPem } },
    ok: true,
  },
  {
    name: 'wrong name',
    chain: [direct.der],
    trust: { policy: { caPem: root.certPem }, serverName: 'nps.corp.test' },
    ok: false,
    why: /not issued to nps\.corp\.test/,
  },
  {
    name: 'expired leaf',
    chain: [old.der],
    trust: { policy: { caPem: root.certPem } },
    ok: false,
    why: /it has expired/,
  },
  {
    name: 'not yet valid (clock behind)',
    chain: [direct.der],
    trust: { policy: { caPem: root.certPem } },
    ok: false,
    why: /not valid yet/,
    at: now - 10 * 24 * 3_600_000,
  },
  {
    name: 'other CA',
    chain: [direct.der],
    trust: { policy: { caPem: notCa.certPem } },
    ok: false,
    why: /issued by an authority/,
  },
  {
    name: 'self-signed, untrusted',
    chain: [root.der],
    trust: { policy: { caPem: notCa.certPem } },
    ok: false,
    why: /self-signed/,
  },
  { name: 'self-signed, given as CA', chain: [notCa.der], trust: { policy: { caPem: notCa.certPem } }, ok: true },
  {
    name: 'pin wins over the chain',
    chain: [direct.der],
    trust: { policy: { pinSha256: direct.sha256, caPem: notCa.certPem } },
    ok: true,
  },
  {
    name: 'pin mismatch',
    chain: [direct.der],
    trust: { policy: { pinSha256: leaf.sha256 } },
    ok: false,
    why: /not the certificate this profile pins/,
  },
  { name: 'insecure', chain: [direct.der], trust: { policy: { insecure: true }, serverName: 'whatever' }, ok: true },
  { name: 'no certificate', chain: [], trust: { policy: { insecure: true } }, ok: false, why: /sent no certificate/ },
  {
    name: 'garbage DER',
    chain: [Buffer.from('not a certificate')],
    trust: { policy: {} },
    ok: false,
    why: /could not be parsed/,
  },
  {
    name: 'system CAs do not know a test root',
    chain: [direct.der],
    trust: { policy: {} },
    ok: false,
    why: /issued by an authority/,
  },
];

for (const c of cases) {
  test(`inner certificate: ${c.name}`, () => {
    const v = judgeInnerCertificate('EAP-TLS', c.chain, c.trust, c.at ?? now);
    assert.equal(v.ok, c.ok, v.ok ? 'accepted' : v.failure.message);
    if (v.ok || c.why === undefined) return;
    assert.match(v.failure.message, c.why);
    assert.equal(v.failure.code, 'server-auth-failed');
    assert.equal(v.failure.phase, 'auth');
    assert.equal(v.failure.certificate, undefined);
    if (c.chain.length > 0 && c.name !== 'garbage DER') {
      assert.match(v.failure.message, /SHA-256 fingerprint is [0-9A-F:]{95}/);
      assert.ok(v.failure.eapCertificate);
    }
  });
}
