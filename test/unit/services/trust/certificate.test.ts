import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeCertificate,
  parseCertificates,
  displayFingerprint,
} from '../../../../main/services/trust/certificate.js';
import { issue } from './helpers/certs.js';

const ca = issue({ cn: 'Causeway Test CA', isCa: true });
const leaf = issue({
  cn: 'sstp.example.test',
  dns: ['sstp.example.test', 'alt.example.test'],
  ips: ['10.0.0.1'],
  issuer: ca,
  bits: 2048,
});

test('describeCertificate gives what a person needs to decide', () => {
  const d = describeCertificate(leaf.der);
  assert.equal(d.subject, 'CN=sstp.example.test, O=Causeway Tests');
  assert.equal(d.issuer, 'CN=Causeway Test CA, O=Causeway Tests');
  assert.deepEqual(d.subjectAltNames, ['DNS:sstp.example.test', 'DNS:alt.example.test', 'IP:10.0.0.1']);
  assert.equal(d.serialNumber, leaf.cert.serialNumber.replace(/^(00)+/, '').toUpperCase());
  assert.equal(d.validFrom, new Date(Math.floor(leaf.cert.validity.notBefore.getTime() / 1000) * 1000).toISOString());
  assert.equal(d.sha256, displayFingerprint(createHash('sha256').update(leaf.der).digest('hex')));
  assert.match(d.sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(d.selfSigned, false);
  assert.equal(d.isCa, false);
  assert.equal(d.keyType, 'RSA');
  assert.equal(d.keySize, 2048);

  const c = describeCertificate(ca.der);
  assert.equal(c.selfSigned, true);
  assert.equal(c.isCa, true);
});

test('parseCertificates reads a PEM chain, a single DER, and refuses garbage', () => {
  const chain = parseCertificates(Buffer.from(`intro text\n${leaf.pem}\n${ca.pem}`));
  assert.ok(chain.ok);
  assert.equal(chain.certificates.length, 2);
  assert.ok(chain.certificates[1]?.raw.equals(ca.der));
  const der = parseCertificates(leaf.der);
  assert.ok(der.ok && der.certificates[0]?.raw.equals(leaf.der));
  const bad = parseCertificates(Buffer.from('definitely not a certificate'));
  assert.ok(!bad.ok && bad.error.kind === 'not-a-certificate');
  const badPem = parseCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  assert.ok(!badPem.ok);
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

test(
  'EC certificates (which node-forge cannot read) are described too',
  { skip: !hasOpenssl && 'no openssl' },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'causeway-ec-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const r = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=ec.example.test',
      '-addext',
      'subjectAltName=DNS:ec.example.test',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
    ]);
    assert.equal(r.status, 0, r.stderr.toString());
    const parsed = parseCertificates(await readFile(join(dir, 'c.pem')));
    assert.ok(parsed.ok);
    const d = describeCertificate(parsed.certificates[0]!);
    assert.equal(d.keyType, 'EC');
    assert.equal(d.curve, 'prime256v1');
    assert.equal(d.keySize, 256);
    assert.equal(d.selfSigned, true);
  },
);
