// The server-certificate decision production makes: startTls (engine/transport/tls.ts) against a real
// TLS server on loopback, so OpenSSL's chain verdict, the pin, the name check and judgeServer
// (tls-judge.ts) run exactly as in a connection. These cases came from the tests of the former
// services/trust/decide.ts, which nothing ran: each one now asserts what the running code does.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TrustPolicy } from '../../../../main/engine/config.js';
import type { TlsResult } from '../../../../main/engine/transport/tls.js';
import { sha256Hex } from '../../../../main/services/trust/certificate.js';
import { issue, type Issued } from '../../services/trust/helpers/certs.js';
import { judge } from './helpers/tls-server.js';

const HOST = 'sstp.example.test';
let ca: Issued;
let good: Issued;
let selfSigned: Issued;
let expired: Issued;
let wrongHost: Issued;
let replaced: Issued;
let byOther: Issued;
let intermediate: Issued;
let viaIntermediate: Issued;
let byIp: Issued;

const withCa = (): TrustPolicy => ({ caPem: ca.pem });

function refused(r: TlsResult, code: 'certificate-untrusted' | 'certificate-pin-mismatch', why: RegExp): void {
  assert.ok(!r.ok, 'refused');
  assert.equal(r.code, code, r.message);
  assert.match(r.message, why);
  // The certificate travels with the refusal, for the trust prompt.
  assert.ok(r.certificate, 'the refusal carries the certificate');
}

describe('judging the server certificate (startTls → judgeServer)', { concurrency: true }, () => {
  before(() => {
    ca = issue({ cn: 'Causeway Test CA', isCa: true });
    const otherCa = issue({ cn: 'Someone Else CA', isCa: true });
    good = issue({ cn: HOST, dns: [HOST], issuer: ca });
    selfSigned = issue({ cn: HOST, dns: [HOST] });
    expired = issue({
      cn: HOST,
      dns: [HOST],
      issuer: ca,
      notBefore: new Date(Date.now() - 60 * 86400_000),
      notAfter: new Date(Date.now() - 86400_000),
    });
    wrongHost = issue({ cn: 'other.example.test', dns: ['other.example.test'], issuer: ca });
    replaced = issue({ cn: HOST, dns: [HOST], issuer: ca });
    byOther = issue({ cn: HOST, dns: [HOST], issuer: otherCa });
    intermediate = issue({ cn: 'Causeway Intermediate', isCa: true, issuer: ca });
    viaIntermediate = issue({ cn: HOST, dns: [HOST], issuer: intermediate });
    byIp = issue({ cn: '192.0.2.7', ips: ['192.0.2.7'], issuer: ca });
  });

  it('trusts a CA-signed certificate for the right host, in date', async () => {
    const r = await judge([good], withCa());
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.info.certificate.sha256.replace(/:/g, '').toLowerCase(), sha256Hex(good.der));
  });

  it('names each problem in its refusal', async () => {
    const cases: Array<[string, Issued, RegExp]> = [
      ['self-signed', selfSigned, /it is self-signed/],
      ['expired', expired, /it has expired/],
      ['wrong host', wrongHost, new RegExp(`valid but not for ${HOST.replace(/\./g, '\\.')}`)],
      ['unknown issuer', byOther, /issued by an authority this machine does not know/],
    ];
    for (const [name, cert, why] of cases) {
      const r = await judge([cert], withCa());
      assert.ok(!r.ok, name);
      refused(r, 'certificate-untrusted', why);
    }
  });

  it('trusts a chain through a presented intermediate; without it the issuer is unknown', async () => {
    const through = await judge([viaIntermediate, intermediate], withCa());
    assert.ok(through.ok, through.ok ? '' : through.message);
    refused(await judge([viaIntermediate], withCa()), 'certificate-untrusted', /authority this machine does not know/);
  });

  it('does not let a non-CA certificate act as an intermediate', async () => {
    const fakeIssuer = issue({ cn: 'leafy', dns: ['leafy.example.test'], issuer: ca });
    const underLeaf = issue({ cn: HOST, dns: [HOST], issuer: fakeIssuer });
    refused(await judge([underLeaf, fakeIssuer], withCa()), 'certificate-untrusted', /not trusted/);
  });

  it('checks the SNI name when one is set, and an address against the IP SANs', async () => {
    const byAddress = await judge([byIp], withCa(), { host: '192.0.2.7' });
    assert.ok(byAddress.ok, byAddress.ok ? '' : byAddress.message);
    refused(
      await judge([good], withCa(), { sni: 'other.example.test' }),
      'certificate-untrusted',
      /valid but not for other\.example\.test/,
    );
  });

  it('does not trust a private CA by the system roots', async () => {
    refused(await judge([good], {}), 'certificate-untrusted', /authority this machine does not know/);
  });

  it('trusts a self-signed server certificate given as the CA', async () => {
    const r = await judge([selfSigned], { caPem: selfSigned.pem });
    assert.ok(r.ok, r.ok ? '' : r.message);
  });

  it('pinned: the same leaf is trusted whatever its chain; a changed one is a pin mismatch', async () => {
    const pin = sha256Hex(selfSigned.der);
    const same = await judge([selfSigned], { pinSha256: pin });
    assert.ok(same.ok, same.ok ? '' : same.message);
    // Even a perfectly CA-valid replacement is loud once a pin exists.
    const changed = await judge([replaced], { caPem: ca.pem, pinSha256: pin });
    refused(changed, 'certificate-pin-mismatch', /has changed since you trusted it/);
    assert.ok(!changed.ok);
    assert.match(changed.detail, new RegExp(`pinned ${pin}, presented ${changed.certificate?.sha256}`));
    assert.match(changed.certificate?.sha256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('insecure accepts anything but still reports the certificate', async () => {
    const r = await judge([expired], { insecure: true });
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.match(r.info.certificate.subject, new RegExp(`CN=${HOST.replace(/\./g, '\\.')}`));
  });
});
