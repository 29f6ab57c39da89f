import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bypassMatch } from '../../../../main/services/proxy/bypass.js';
import { proxyFromEnvironment } from '../../../../main/services/proxy/env-proxy.js';
import { proxyFromGnome, type GsettingsReader } from '../../../../main/services/proxy/gnome-proxy.js';
import { parseGValue } from '../../../../main/services/proxy/gsettings-text.js';

describe('proxy bypass lists (no_proxy, GNOME ignore-hosts)', () => {
  it('matches names and subdomains, literals, CIDR and ports', () => {
    const list = ['localhost', '.corp.example', '*.lab.test', '10.0.0.0/8', '::1', 'fd00::/8', 'vpn.example:8443'];
    assert.equal(bypassMatch(list, 'localhost', 443), 'localhost');
    assert.equal(bypassMatch(list, 'a.b.corp.example', 443), '.corp.example');
    assert.equal(bypassMatch(list, 'corp.example', 443), '.corp.example');
    assert.equal(bypassMatch(list, 'x.lab.test', 443), '*.lab.test');
    assert.equal(bypassMatch(list, '10.20.30.40', 443), '10.0.0.0/8');
    assert.equal(bypassMatch(list, '11.0.0.1', 443), undefined);
    assert.equal(bypassMatch(list, '0:0:0:0:0:0:0:1', 443), '::1');
    assert.equal(bypassMatch(list, 'fd12::5', 443), 'fd00::/8');
    assert.equal(bypassMatch(list, 'vpn.example', 8443), 'vpn.example:8443');
    assert.equal(bypassMatch(list, 'vpn.example', 443), undefined);
    assert.equal(bypassMatch(list, 'notcorp.example', 443), undefined);
    assert.equal(bypassMatch(['*'], 'anything', 1), '*');
    assert.equal(bypassMatch([''], 'anything', 1), undefined);
  });
});

describe('https_proxy from the environment', () => {
  it('takes the lower-case name first, user and password, and curl’s default port', () => {
    const r = proxyFromEnvironment(
      { https_proxy: 'http://u%40x:p%3Aw@proxy.test:3128', HTTPS_PROXY: 'http://other:1' },
      'vpn.example',
      443,
    );
    assert.ok(r.kind === 'proxy');
    assert.deepEqual(r.proxy, { host: 'proxy.test', port: 3128, username: 'u@x', password: 'p:w' });
    assert.doesNotMatch(r.description, /p:w/);
    const bare = proxyFromEnvironment({ HTTPS_PROXY: 'proxy.test' }, 'vpn.example', 443);
    assert.ok(bare.kind === 'proxy');
    assert.equal(bare.proxy.port, 1080);
  });

  it('goes direct when unset or when no_proxy lists the server', () => {
    assert.equal(proxyFromEnvironment({}, 'h', 443).kind, 'direct');
    const r = proxyFromEnvironment({ https_proxy: 'http://p:3128', no_proxy: 'x, .example' }, 'vpn.example', 443);
    assert.deepEqual(r, { kind: 'direct', source: 'environment', reason: 'no_proxy lists .example' });
  });

  it('says what it cannot use', () => {
    const socks = proxyFromEnvironment({ https_proxy: 'socks5://p:1080' }, 'h', 443);
    assert.ok(socks.kind === 'unusable');
    assert.match(socks.message, /socks5 proxy.*--no-env-proxy/);
    assert.equal(proxyFromEnvironment({ https_proxy: 'http://[bad' }, 'h', 443).kind, 'unusable');
  });
});

function reader(lines: string[]): GsettingsReader {
  return () => Promise.resolve({ ok: true, output: lines.join('\n') + '\n' });
}

const MANUAL = [
  "org.gnome.system.proxy autoconfig-url ''",
  "org.gnome.system.proxy ignore-hosts ['localhost', '127.0.0.0/8', '::1', \"it's.test\"]",
  "org.gnome.system.proxy mode 'manual'",
  'org.gnome.system.proxy use-same-proxy false',
  "org.gnome.system.proxy.http authentication-password 'pw'",
  "org.gnome.system.proxy.http authentication-user 'alice'",
  "org.gnome.system.proxy.http host 'httpproxy'",
  'org.gnome.system.proxy.http port 8080',
  'org.gnome.system.proxy.http use-authentication true',
];

describe('GNOME proxy settings', () => {
  it('reads GVariant text values', () => {
    assert.deepEqual(parseGValue("['a', \"b'c\", 'd\\'e']"), ['a', "b'c", "d'e"]);
    assert.deepEqual(parseGValue('@as []'), []);
    assert.equal(parseGValue("'x'"), 'x');
    assert.equal(parseGValue('3128'), 3128);
    assert.equal(parseGValue('true'), true);
    assert.equal(parseGValue("['a' 'b']"), undefined);
  });

  it('uses the HTTPS proxy without the HTTP proxy’s password', async () => {
    const r = await proxyFromGnome(
      reader([...MANUAL, "org.gnome.system.proxy.https host 'sproxy'", 'org.gnome.system.proxy.https port 3129']),
      'vpn.example',
      443,
    );
    assert.ok(r.kind === 'proxy');
    assert.deepEqual(r.proxy, { host: 'sproxy', port: 3129 });
  });

  it('uses the HTTP proxy and its sign-in with use-same-proxy', async () => {
    const lines = MANUAL.map((l) => l.replace('use-same-proxy false', 'use-same-proxy true'));
    const r = await proxyFromGnome(
      reader([...lines, "org.gnome.system.proxy.https host ''", 'org.gnome.system.proxy.https port 0']),
      'vpn.example',
      443,
    );
    assert.ok(r.kind === 'proxy');
    assert.deepEqual(r.proxy, { host: 'httpproxy', port: 8080, username: 'alice', password: 'pw' });
  });

  it('none, ignore-hosts, auto, SOCKS only and an unreadable gsettings', async () => {
    const none = await proxyFromGnome(reader(["org.gnome.system.proxy mode 'none'"]), 'h', 443);
    assert.equal(none.kind, 'direct');
    const ignored = await proxyFromGnome(reader(MANUAL), '127.0.0.1', 443);
    assert.deepEqual(ignored, { kind: 'direct', source: 'gnome', reason: 'GNOME ignore-hosts lists 127.0.0.0/8' });
    const auto = await proxyFromGnome(
      reader(["org.gnome.system.proxy mode 'auto'", "org.gnome.system.proxy autoconfig-url 'http://wpad/wpad.dat'"]),
      'h',
      443,
    );
    assert.ok(auto.kind === 'unusable');
    assert.match(auto.message, /wpad\.dat.*auto-config/);
    const socks = await proxyFromGnome(
      reader([...MANUAL, "org.gnome.system.proxy.socks host 's'", 'org.gnome.system.proxy.socks port 1080']),
      'h',
      443,
    );
    assert.ok(socks.kind === 'unusable');
    assert.match(socks.message, /SOCKS/);
    const broken = await proxyFromGnome(() => Promise.resolve({ ok: false, error: 'No such schema' }), 'h', 443);
    assert.ok(broken.kind === 'unusable');
    assert.match(broken.message, /No such schema/);
  });
});
