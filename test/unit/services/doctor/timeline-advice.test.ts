// The timeline's verdicts around a failure, and that every failure code gets its own advice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FailureCode } from '../../../../main/engine/failure.js';
import type { SessionConfig } from '../../../../main/engine/config.js';
import { adviceFor } from '../../../../main/services/doctor/advice.js';
import { buildTimeline } from '../../../../main/services/doctor/timeline.js';

const config: SessionConfig = {
  host: 'vpn.example.test',
  port: 443,
  tlsMin: 'TLSv1.2',
  trust: {},
  credentials: { username: 'u', password: 'p' },
  authMethods: ['mschapv2'],
  ipv6: false,
  mru: 1500,
};
const dns = { verdict: 'ok' as const, ms: 3, summary: 'vpn.example.test → 192.0.2.1' };

test('a failure at auth: earlier phases ok with their times, auth failed with advice, later ones not reached, off ones skipped', () => {
  const advice = adviceFor({ failure: { phase: 'auth', code: 'auth-failed', message: 'm' }, viaProxy: false });
  const t = buildTimeline({
    config,
    dns,
    timings: [
      { phase: 'tcp', ms: 5 },
      { phase: 'tls', ms: 9 },
      { phase: 'http', ms: 2 },
      { phase: 'sstp', ms: 1 },
      { phase: 'lcp', ms: 4 },
    ],
    failedAt: { phase: 'auth', advice, summary: 'rejected' },
    summaries: {},
    mtuRequested: true,
  });
  const v = Object.fromEntries(t.map((p) => [p.phase, p.verdict]));
  assert.deepEqual(v, {
    dns: 'ok',
    tcp: 'ok',
    proxy: 'skipped',
    tls: 'ok',
    http: 'ok',
    sstp: 'ok',
    lcp: 'ok',
    auth: 'failed',
    ipcp: 'not-reached',
    ipv6cp: 'skipped',
    data: 'not-reached',
    mtu: 'not-reached',
  });
  assert.equal(t.find((p) => p.phase === 'tls')?.ms, 9);
  assert.equal(t.find((p) => p.phase === 'auth')?.advice?.id, 'auth-credentials');
});

test('every failure code has advice with a meaning and an action; the detail picks the finer one', () => {
  const codes: FailureCode[] = [
    'network-unreachable',
    'tls-failed',
    'certificate-untrusted',
    'certificate-pin-mismatch',
    'proxy-failed',
    'proxy-auth-failed',
    'http-refused',
    'sstp-negotiation-failed',
    'auth-method-refused',
    'auth-failed',
    'server-auth-failed',
    'ppp-negotiation-failed',
    'negotiation-timeout',
    'peer-abort',
    'peer-disconnect',
    'dead-peer',
    'protocol-error',
    'connection-lost',
    'data-path-failed',
    'cancelled',
  ];
  for (const code of codes) {
    const a = adviceFor({ failure: { phase: 'tcp', code, message: 'm' }, viaProxy: false });
    assert.ok(a.meaning.length > 10 && a.action.length > 10, code);
  }
  const fine = (code: FailureCode, detail: string, extra: { offeredHashes?: string; phase?: 'dns' | 'tcp' } = {}) =>
    adviceFor({
      failure: { phase: extra.phase ?? 'tcp', code, message: 'm', detail },
      viaProxy: false,
      ...(extra.offeredHashes ? { offeredHashes: extra.offeredHashes } : {}),
    }).id;
  assert.equal(fine('network-unreachable', 'ECONNREFUSED'), 'port-closed');
  assert.equal(fine('network-unreachable', 'ETIMEDOUT'), 'tcp-timeout');
  assert.equal(fine('network-unreachable', 'ENOTFOUND', { phase: 'dns' }), 'dns-failed');
  assert.equal(fine('proxy-auth-failed', 'HTTP/1.1 407 x; Proxy-Authenticate: NTLM, Negotiate'), 'proxy-ntlm');
  assert.equal(
    fine('proxy-auth-failed', 'HTTP/1.1 407 x; Proxy-Authenticate: Basic realm="p", NTLM'),
    'proxy-credentials',
  );
  assert.equal(fine('certificate-untrusted', 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'certificate-self-signed');
  assert.equal(fine('certificate-untrusted', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), 'certificate-unknown-ca');
  assert.equal(fine('certificate-untrusted', 'CERT_HAS_EXPIRED'), 'certificate-dates');
  assert.equal(
    fine('sstp-negotiation-failed', 'CRYPTO_BINDING_REQ hash bitmask SHA1', { offeredHashes: 'SHA1' }),
    'binding-sha1-only',
  );
  assert.equal(fine('http-refused', 'server answered "HTTP/1.1 404 Not Found"'), 'http-host-check');
});

test('the unknown-CA advice quotes the fingerprint to compare', () => {
  const sha256 = 'AB:'.repeat(31) + 'AB';
  const a = adviceFor({
    failure: { phase: 'tls', code: 'certificate-untrusted', message: 'm', detail: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
    certificate: {
      subject: 'CN=x',
      issuer: 'CN=y',
      serialNumber: '1',
      validFrom: '',
      validTo: '',
      subjectAltNames: [],
      sha256,
      selfSigned: false,
    },
    viaProxy: false,
  });
  assert.ok(a.action.includes(sha256));
});
