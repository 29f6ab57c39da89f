import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerChallenges, parseChallenges } from '../../../../main/engine/transport/proxy-auth.js';
import { digestAuthorization } from '../../../../main/engine/transport/proxy-digest.js';

// RFC 7616 §3.9.1: the same request answered with SHA-256 and with MD5.
const RFC_CHALLENGE = new Map([
  ['realm', 'http-auth@example.org'],
  ['qop', 'auth, auth-int'],
  ['nonce', '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v'],
  ['opaque', 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS'],
]);
const RFC_REQUEST = {
  username: 'Mufasa',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: 1,
};

describe('Digest (RFC 7616)', () => {
  it('gives the RFC 7616 §3.9.1 responses byte for byte (SHA-256 and MD5)', () => {
    const sha = digestAuthorization({
      ...RFC_REQUEST,
      challenge: new Map([...RFC_CHALLENGE, ['algorithm', 'SHA-256']]),
    });
    assert.ok(sha.ok);
    assert.equal(sha.response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    assert.equal(
      sha.header,
      'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, ' +
        'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, ' +
        'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", ' +
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    const md5 = digestAuthorization({ ...RFC_REQUEST, challenge: new Map([...RFC_CHALLENGE, ['algorithm', 'MD5']]) });
    assert.ok(md5.ok);
    assert.equal(md5.response, '8ca523f5e9506fed4657c9700eebdbec');
  });

  it('answers an RFC 2069 challenge (no qop) and RFC 2617 example', () => {
    // RFC 2617 §3.5's example: response 6629fae49393a05397450978507c4ef1.
    const r = digestAuthorization({
      challenge: new Map([
        ['realm', 'testrealm@host.com'],
        ['qop', 'auth,auth-int'],
        ['nonce', 'dcd98b7102dd2f0e8b11d0f600bfb0c093'],
        ['opaque', '5ccc069c403ebaf9f0171e9517f40e41'],
      ]),
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: '0a4f113b',
      nc: 1,
    });
    assert.ok(r.ok);
    assert.equal(r.response, '6629fae49393a05397450978507c4ef1');
    const old = digestAuthorization({
      challenge: new Map([
        ['realm', 'r'],
        ['nonce', 'n'],
      ]),
      username: 'u',
      password: 'p',
      method: 'CONNECT',
      uri: 'h:443',
    });
    assert.ok(old.ok);
    assert.doesNotMatch(old.header, /qop|cnonce|nc=/);
  });

  it('refuses what it cannot answer with a reason', () => {
    const base = { username: 'u', password: 'p', method: 'CONNECT', uri: 'h:443' };
    const cases: [Map<string, string>, RegExp][] = [
      [new Map([['nonce', 'n']]), /no realm/],
      [new Map([['realm', 'r']]), /no nonce/],
      [
        new Map([
          ['realm', 'r'],
          ['nonce', 'n'],
          ['algorithm', 'SHA-512-256'],
        ]),
        /SHA-512-256 is not supported/,
      ],
      [
        new Map([
          ['realm', 'r'],
          ['nonce', 'n'],
          ['qop', 'auth-int'],
        ]),
        /not auth/,
      ],
    ];
    for (const [challenge, why] of cases) {
      const r = digestAuthorization({ ...base, challenge });
      assert.ok(!r.ok);
      assert.match(r.reason, why);
    }
    const quote = digestAuthorization({
      ...base,
      username: 'a"b',
      challenge: new Map([
        ['realm', 'r'],
        ['nonce', 'n'],
      ]),
    });
    assert.ok(!quote.ok);
  });
});

describe('Proxy-Authenticate challenges', () => {
  it('splits several challenges with quoted params and token68', () => {
    const r = parseChallenges(
      'Digest realm="Squid, proxy", nonce="abc\\"d", qop="auth", stale=false, Basic realm="Squid", NTLM, Negotiate YII=',
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.challenges.map((c) => c.scheme),
      ['Digest', 'Basic', 'NTLM', 'Negotiate'],
    );
    const d = r.challenges[0];
    assert.equal(d?.params.get('realm'), 'Squid, proxy');
    assert.equal(d?.params.get('nonce'), 'abc"d');
    assert.equal(d?.params.get('stale'), 'false');
    assert.equal(r.challenges[3]?.token68, 'YII=');
  });

  it('gives a typed error for malformed challenges', () => {
    for (const bad of [
      '',
      ', ,',
      'realm="x"',
      'Digest realm="unterminated',
      'Digest realm="a", nonce=',
      'Digest realm="a" nonce="b"',
      'Digest realm="a", realm="b"',
      'Digest @',
      'NTLM abc, realm=x',
    ]) {
      const r = parseChallenges(bad);
      assert.ok(!r.ok, `should refuse ${JSON.stringify(bad)}`);
      assert.equal(typeof r.reason, 'string');
    }
  });

  it('prefers Digest SHA-256, then Digest MD5, then Basic; says when none is spoken', () => {
    const creds = { username: 'u', password: 'p' };
    const at = { method: 'CONNECT', uri: 'h:443' };
    const both = parseChallenges(
      'Basic realm="b", Digest realm="r", nonce="n", qop="auth", Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"',
    );
    assert.ok(both.ok);
    const a = answerChallenges(both.challenges, creds, at);
    assert.ok(a.ok);
    assert.equal(a.scheme, 'Digest');
    assert.match(a.header, /algorithm=SHA-256/);
    const basic = parseChallenges('Basic realm="b"');
    assert.ok(basic.ok);
    const b = answerChallenges(basic.challenges, creds, at);
    assert.deepEqual(b, { ok: true, scheme: 'Basic', header: 'Basic dTpw' });
    const ntlm = parseChallenges('NTLM, Negotiate');
    assert.ok(ntlm.ok);
    const n = answerChallenges(ntlm.challenges, creds, at);
    assert.deepEqual(n, { ok: false, reason: 'unsupported', detail: 'offered: NTLM, Negotiate' });
    const broken = parseChallenges('Digest realm="r"');
    assert.ok(broken.ok);
    const m = answerChallenges(broken.challenges, creds, at);
    assert.ok(!m.ok);
    assert.equal(m.reason, 'malformed');
  });
});
