import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importMikrotik } from '../../../../main/services/import/mikrotik.js';
import { readRouterOs, tokenize } from '../../../../main/services/import/routeros-lexer.js';
import {
  assertSecretsOutsideDrafts,
  assertWellFormedWarnings,
  byName,
  expectError,
  expectOk,
  fixture,
} from './helpers.js';

const rsc = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('RouterOS lexer', () => {
  it('joins backslash continuations, keeps the first line number and skips comments', () => {
    const s = readRouterOs([
      '# header',
      '/interface sstp-client',
      'add name=a \\',
      '    connect-to=\\',
      '    x.example user=u',
      'add name=b connect-to=y',
    ]);
    assert.deepEqual(
      s.commands.map((c) => [c.line, c.menu, c.verb]),
      [
        [3, 'interface sstp-client', 'add'],
        [6, 'interface sstp-client', 'add'],
      ],
    );
    assert.deepEqual(s.commands[0]?.params, [
      { key: 'name', value: 'a' },
      { key: 'connect-to', value: 'x.example' },
      { key: 'user', value: 'u' },
    ]);
  });

  it('reads v7 slash paths and one-line commands', () => {
    const s = readRouterOs([
      '/interface/sstp-client/add name=a connect-to=h',
      '/ip route add dst-address=10.0.0.0/8 gateway=a',
    ]);
    assert.deepEqual(
      s.commands.map((c) => [c.menu, c.verb]),
      [
        ['interface sstp-client', 'add'],
        ['ip route', 'add'],
      ],
    );
  });

  it('decodes quoted values with RouterOS escapes and keeps [ find … ] whole', () => {
    const t = tokenize('set [ find name="a b" ] comment="x\\"y\\\\z\\_\\41\\$" password=p');
    assert.deepEqual(t, [
      { kind: 'word', text: 'set' },
      { kind: 'word', text: '[ find name="a b" ]' },
      { kind: 'param', key: 'comment', value: 'x"y\\z A$' },
      { kind: 'param', key: 'password', value: 'p' },
    ]);
  });

  it('reports unclosed quotes and brackets instead of guessing', () => {
    assert.equal(tokenize('add name="open'), undefined);
    assert.equal(tokenize('set [ find name=x'), undefined);
    assert.deepEqual(readRouterOs(['/interface sstp-client', 'add name="oops connect-to=x']).broken, [2]);
  });
});

describe('importMikrotik: a full /export', () => {
  const r = expectOk(importMikrotik('mikrotik-export.rsc', fixture('mikrotik-export.rsc')));

  it('imports every usable sstp-client and skips the MS-CHAP-v1-only one', () => {
    assert.equal(r.format, 'mikrotik');
    assert.deepEqual(
      r.profiles.map((p) => [p.draft.name, p.source.line]),
      [
        ['sstp-hq', 9],
        ['sstp-legacy', 13],
        ['Branch Office', 17],
      ],
    );
    assert.ok(
      r.warnings.some((w) =>
        w.text.startsWith('mikrotik-export.rsc:15: "sstp-v1only" allows no authentication method'),
      ),
    );
    assertWellFormedWarnings(r, 'mikrotik-export.rsc');
  });

  it('maps connect-to, port, user, authentication, tls-version, proxy and max-mtu', () => {
    const hq = byName(r, 'sstp-hq').draft;
    assert.deepEqual(hq.server, { host: 'vpn.example.com', port: 443 });
    assert.equal(hq.username, 'router1');
    assert.deepEqual(hq.authMethods, ['mschapv2']);
    assert.equal(hq.tls?.minVersion, 'TLSv1.2');
    const legacy = byName(r, 'sstp-legacy').draft;
    assert.deepEqual(legacy.server, { host: '203.0.113.7', port: 4443 });
    assert.deepEqual(legacy.proxy, { host: '192.0.2.10', port: 8080 });
    const branch = byName(r, 'Branch Office').draft;
    assert.deepEqual(branch.server, { host: 'branch.example.org', port: 8443 });
    assert.deepEqual(branch.proxy, { host: 'proxy.example.net', port: 3128 });
    assert.equal(branch.tls?.minVersion, 'TLSv1.3');
    assert.equal(branch.mtu, 1400);
  });

  it('turns /ip route and /ipv6 route entries through a client into its split routes', () => {
    assert.deepEqual(byName(r, 'sstp-hq').draft.routing, {
      mode: 'split',
      routes: ['10.0.0.0/8', '172.16.0.0/12', 'fd00:1::/48'],
    });
    assert.equal(byName(r, 'sstp-hq').draft.ipv6, true);
    assert.deepEqual(byName(r, 'sstp-legacy').draft.routing, { mode: 'split', routes: ['192.168.77.0/24'] });
    assert.deepEqual(byName(r, 'Branch Office').draft.routing, { mode: 'full' });
  });

  it('decodes the quoted password into secrets only', () => {
    assert.deepEqual(byName(r, 'sstp-hq').secrets, { password: 's3cr3t "quoted" pa$$' });
    assert.deepEqual(byName(r, 'Branch Office').secrets, { password: 'branchpw' });
    assertSecretsOutsideDrafts(r);
  });

  it('warns about unverified certificates, router-held client certificates and unknown parameters', () => {
    const texts = r.warnings.map((w) => w.message).join('\n');
    assert.match(texts, /"sstp-legacy": the router did not verify the server certificate/);
    assert.match(texts, /client certificate "client-cert" lives in the router's certificate store/);
    assert.match(texts, /unknown parameter "some-future-flag"/);
    assert.doesNotMatch(texts, /"sstp-hq": the router did not verify/);
  });
});

describe('importMikrotik: hand-typed lines (CRLF)', () => {
  const r = expectOk(importMikrotik('mikrotik-oneliners.rsc', fixture('mikrotik-oneliners.rsc')));

  it('reads inline and v7 paths, bracketed IPv6 and quoted users; ignores set and scripting', () => {
    assert.deepEqual(
      r.profiles.map((p) => p.draft.name),
      ['home', 'Office 2'],
    );
    assert.deepEqual(byName(r, 'home').draft.authMethods, ['mschapv2', 'chap', 'pap']);
    const office = byName(r, 'Office 2');
    assert.deepEqual(office.draft.server, { host: '2001:db8::443', port: 443 });
    assert.equal(office.draft.username, 'CORP\\alice');
    assert.deepEqual(office.secrets, { password: 'p w' });
    assert.ok(
      r.warnings.some((w) => w.line === 4 && /"set" in \/interface sstp-client is not applied/.test(w.message)),
    );
  });
});

describe('importMikrotik: edge cases', () => {
  it('names unnamed clients after their server and skips clients without connect-to', () => {
    const r = expectOk(
      importMikrotik('x.rsc', rsc('/interface sstp-client\nadd connect-to=a.example user=u\nadd name=none user=u\n')),
    );
    assert.deepEqual(
      r.profiles.map((p) => p.draft.name),
      ['a.example'],
    );
    assert.ok(r.warnings.some((w) => /"none" has no connect-to/.test(w.message)));
  });

  it('finds nothing in an export without sstp clients', () => {
    const e = expectError(importMikrotik('x.rsc', rsc('/system identity\nset name=r1\n')));
    assert.equal(e.code, 'no-profiles');
    assert.match(e.text, /no \/interface sstp-client entries found/);
  });

  it('reads an invalid port as a skipped entry, not a crash', () => {
    const e = expectError(
      importMikrotik('x.rsc', rsc('/interface sstp-client add name=a connect-to=h.example port=70000\n')),
    );
    assert.equal(e.code, 'no-profiles');
  });
});
