import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSessionConfig,
  parseAuthList,
  parseHostPort,
  parseProxyUrl,
  weakAuthWarnings,
} from '../../../main/cli/options.js';
import { exitCodeFor } from '../../../main/cli/exit-codes.js';

describe('CLI option parsing', () => {
  it('reads host, host:port and [v6]:port', () => {
    assert.deepEqual(parseHostPort('vpn.example.com'), { ok: true, value: { host: 'vpn.example.com', port: 443 } });
    assert.deepEqual(parseHostPort('10.0.0.1:4443'), { ok: true, value: { host: '10.0.0.1', port: 4443 } });
    assert.deepEqual(parseHostPort('[2001:db8::1]:8443'), { ok: true, value: { host: '2001:db8::1', port: 8443 } });
    for (const bad of ['', 'a:b', 'host:0', 'host:70000', 'http://x', 'a b'])
      assert.equal(parseHostPort(bad).ok, false, bad);
  });

  it('reads the auth list in order, without duplicates, and names an unknown method', () => {
    assert.deepEqual(parseAuthList('PAP, mschapv2,pap'), { ok: true, value: ['pap', 'mschapv2'] });
    const bad = parseAuthList('pap,telnet');
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.error : '', /telnet/);
    assert.equal(parseAuthList(',').ok, false);
  });

  it('reads proxy URLs with a percent-encoded user name, and refuses a password in them', () => {
    assert.deepEqual(parseProxyUrl('http://u%40x@127.0.0.1:3128'), {
      ok: true,
      value: { host: '127.0.0.1', port: 3128, username: 'u@x' },
    });
    const withPassword = parseProxyUrl('http://u%40x:p%3Aw@127.0.0.1:3128');
    assert.ok(!withPassword.ok);
    assert.match(withPassword.error, /must not be in the --proxy URL.*\/proc\/PID\/cmdline.*--proxy-password-stdin/);
    assert.doesNotMatch(withPassword.error, /p%3Aw|p:w/, 'the error does not repeat the password');
    assert.deepEqual(parseProxyUrl('http://[2001:db8::3]:3128'), {
      ok: true,
      value: { host: '2001:db8::3', port: 3128 },
    });
    assert.deepEqual(parseProxyUrl('http://proxy'), { ok: true, value: { host: 'proxy', port: 80 } });
    assert.equal(parseProxyUrl('socks5://x:1').ok, false);
    assert.equal(parseProxyUrl('not a url').ok, false);
  });

  it('PAP, CHAP and no-authentication are opt-in, each with a warning that says what it costs', () => {
    assert.deepEqual(weakAuthWarnings(['mschapv2', 'eap-mschapv2'], false), []);
    const opted = buildSessionConfig('h', { user: 'a', auth: 'mschapv2,pap', allowNoAuth: true }, 'pw');
    assert.ok(opted.ok);
    assert.deepEqual(opted.value.authMethods, ['mschapv2', 'pap']);
    assert.equal(opted.value.allowNoAuthentication, true);
    const w = weakAuthWarnings(opted.value.authMethods, true);
    assert.equal(w.length, 2);
    assert.match(w[0] ?? '', /PAP .*password itself.*whoever holds the server certificate/);
    assert.match(w[1] ?? '', /no authentication/);
    assert.match(weakAuthWarnings(['chap'], false)[0] ?? '', /CHAP/);
  });

  it('builds a session config with safe defaults and refuses bad values', () => {
    const r = buildSessionConfig('vpn.example.com', { user: 'alice' }, 'pw');
    assert.ok(r.ok);
    assert.equal(r.value.tlsMin, 'TLSv1.2');
    assert.equal(r.value.trust.insecure, false);
    // Ad hoc, only methods in which the server proves it knows the password too; no-auth refused.
    assert.deepEqual(r.value.authMethods, ['mschapv2', 'eap-mschapv2']);
    assert.equal(r.value.allowNoAuthentication, undefined);
    assert.equal(r.value.mru, 1500);
    const pin = buildSessionConfig('h', { user: 'a', pin: `sha256:${'AB:'.repeat(31)}AB` }, 'pw');
    assert.ok(pin.ok && pin.value.trust.pinSha256 === 'AB'.repeat(32));
    for (const bad of [
      { user: 'a', pin: 'sha256:xyz' },
      { user: 'a', tlsMin: '1.1' },
      { user: 'a', mru: '100' },
      {},
      { user: 'a', ca: '/nonexistent/ca.pem' },
    ]) {
      assert.equal(buildSessionConfig('h', bad, 'pw').ok, false, JSON.stringify(bad));
    }
  });

  it('maps every failure code to its documented exit code', () => {
    assert.equal(exitCodeFor('network-unreachable'), 3);
    assert.equal(exitCodeFor('tls-failed'), 3);
    assert.equal(exitCodeFor('certificate-untrusted'), 4);
    assert.equal(exitCodeFor('certificate-pin-mismatch'), 4);
    assert.equal(exitCodeFor('auth-failed'), 5);
    assert.equal(exitCodeFor('server-auth-failed'), 6);
    assert.equal(exitCodeFor('negotiation-timeout'), 6);
    assert.equal(exitCodeFor('proxy-auth-failed'), 7);
  });
});
