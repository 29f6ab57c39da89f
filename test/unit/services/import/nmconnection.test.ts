import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importNmConnection, unescapeKeyfile } from '../../../../main/services/import/nmconnection.js';
import { assertSecretsOutsideDrafts, assertWellFormedWarnings, expectError, expectOk, fixture } from './helpers.js';

const SSTP = 'service-type=org.freedesktop.NetworkManager.sstp';
const nm = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('importNmConnection: the SoftEther test server fixture', () => {
  const r = expectOk(
    importNmConnection(
      '/etc/NetworkManager/system-connections/softether-test.nmconnection',
      fixture('softether-test.nmconnection'),
    ),
  );

  it('gives one profile for 10.200.0.1 as testuser, MS-CHAPv2 only, without warnings', () => {
    assert.equal(r.profiles.length, 1);
    const p = r.profiles[0];
    assert.ok(p);
    assert.equal(p.draft.name, 'softether-test');
    assert.deepEqual(p.draft.server, { host: '10.200.0.1', port: 443 });
    assert.equal(p.draft.username, 'testuser');
    assert.deepEqual(p.draft.authMethods, ['mschapv2']);
    assert.equal(p.draft.ipv6, false);
    assert.deepEqual(r.warnings, []);
  });

  it('puts the [vpn-secrets] password in secrets, never in the draft', () => {
    assert.deepEqual(r.profiles[0]?.secrets, { password: 'testpass' });
    assertSecretsOutsideDrafts(r);
  });
});

describe('importNmConnection: a full-featured connection (UTF-8 BOM, CRLF)', () => {
  const r = expectOk(importNmConnection('corp-bom-crlf.nmconnection', fixture('corp-bom-crlf.nmconnection')));
  const p = r.profiles[0];
  assert.ok(p);

  it('maps gateway with port, domain\\user, CA file, proxy, refuse-* and mtu', () => {
    assert.equal(p.draft.name, 'Corp VPN (Berlin)');
    assert.equal(p.source.line, 2);
    assert.deepEqual(p.draft.server, { host: 'vpn.example.com', port: 8443 });
    assert.equal(p.draft.username, 'CORP\\alice');
    assert.equal(p.draft.tls?.caFile, '/home/alice/.cert/corp-ca.pem');
    assert.equal(p.draft.tls?.insecure, false);
    assert.deepEqual(p.draft.proxy, { host: 'proxy.example.com', port: 3128, username: 'alice-proxy' });
    assert.deepEqual(p.draft.authMethods, ['mschapv2']);
    assert.equal(p.draft.mtu, 1400);
  });

  it('turns never-default + routes into a split tunnel, IPv6 routes included when IPv6 is on', () => {
    assert.deepEqual(p.draft.routing, { mode: 'split', routes: ['10.10.0.0/16', '192.168.50.0/24', 'fd00:10::/64'] });
    assert.equal(p.draft.ipv6, true);
    assert.equal(p.draft.dns, true);
  });

  it('unescapes keyfile values and keeps both secrets out of the draft', () => {
    assert.deepEqual(p.secrets, { password: 'correct horse battery', proxyPassword: 'pr0xy' });
    assertSecretsOutsideDrafts(r);
  });

  it('keeps certificate checks on for ignore-cert-warn=yes, and says so', () => {
    const texts = r.warnings.map((w) => w.text);
    assert.ok(
      texts.includes(
        'corp-bom-crlf.nmconnection:14: "Corp VPN (Berlin)": ignore-cert-warn=yes is not carried over; certificate checks stay on and the first connection will ask you to trust the server\'s certificate',
      ),
      texts.join('\n'),
    );
    assert.ok(texts.some((t) => t.startsWith('corp-bom-crlf.nmconnection:30: unknown [vpn] key "x-vendor-tweak"')));
    assert.ok(texts.some((t) => /LCP echo settings are not kept/.test(t)));
    assertWellFormedWarnings(r, 'corp-bom-crlf.nmconnection');
  });
});

describe('importNmConnection: refusals and edge cases', () => {
  it('refuses another VPN plugin with not-sstp, naming the line', () => {
    const e = expectError(importNmConnection('openvpn.nmconnection', fixture('openvpn.nmconnection')));
    assert.equal(e.code, 'not-sstp');
    assert.equal(e.line, 10);
    assert.match(
      e.text,
      /^openvpn\.nmconnection:10: service-type "org\.freedesktop\.NetworkManager\.openvpn" is not the SSTP plugin/,
    );
  });

  it('refuses a non-VPN connection and a file without [vpn]', () => {
    assert.equal(
      expectError(importNmConnection('w.nmconnection', nm('[connection]\nid=home\ntype=wifi\n'))).code,
      'not-sstp',
    );
    assert.equal(expectError(importNmConnection('w.nmconnection', nm('[connection]\nid=x\n'))).code, 'malformed');
    assert.equal(expectError(importNmConnection('w.nmconnection', nm('just text\n'))).code, 'malformed');
  });

  it('skips certificate (EAP-TLS) connections and gatewayless ones with a reason', () => {
    const tlsOnly = expectError(
      importNmConnection(
        't.nmconnection',
        nm(`[connection]\nid=T\ntype=vpn\n[vpn]\nconnection-type=tls\ngateway=a.example\n${SSTP}\n`),
      ),
    );
    assert.equal(tlsOnly.code, 'no-profiles');
    if (tlsOnly.code === 'no-profiles') assert.match(tlsOnly.warnings[0]?.message ?? '', /EAP-TLS/);
    const noGw = expectError(
      importNmConnection('t.nmconnection', nm(`[connection]\nid=G\ntype=vpn\n[vpn]\n${SSTP}\n`)),
    );
    assert.equal(noGw.code, 'no-profiles');
  });

  it('reads never-default without routes as full tunnel with a warning, and ignore-auto-dns as DNS off', () => {
    const r = expectOk(
      importNmConnection(
        'n.nmconnection',
        nm(
          `[connection]\nid=N\ntype=vpn\n[vpn]\ngateway=vpn.example.com\n${SSTP}\n[ipv4]\nnever-default=true\nignore-auto-dns=true\n`,
        ),
      ),
    );
    assert.deepEqual(r.profiles[0]?.draft.routing, { mode: 'full' });
    assert.equal(r.profiles[0]?.draft.dns, false);
    assert.ok(r.warnings.some((w) => /never-default=true without routes/.test(w.message)));
  });

  it('drops an out-of-range mtu and a proxy without port, keeping the rest', () => {
    const r = expectOk(
      importNmConnection(
        'm.nmconnection',
        nm(`[connection]\nid=M\n[vpn]\ngateway=vpn.example.com\nmtu=9000\nproxy-server=p.example\n${SSTP}\n`),
      ),
    );
    assert.equal(r.profiles[0]?.draft.mtu, undefined);
    assert.equal(r.profiles[0]?.draft.proxy, undefined);
    assert.equal(r.warnings.length, 2);
  });

  it('falls back to the gateway for a missing id', () => {
    const r = expectOk(importNmConnection('x', nm(`[vpn]\ngateway=vpn.example.com\n${SSTP}\n`)));
    assert.equal(r.profiles[0]?.draft.name, 'vpn.example.com');
  });

  it('unescapes GLib keyfile escapes', () => {
    assert.equal(unescapeKeyfile('a\\sb\\tc\\\\d\\;e\\q'), 'a b\tc\\d;e\\q');
  });
});
