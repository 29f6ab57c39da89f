import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importPbk } from '../../../../main/services/import/pbk.js';
import {
  assertSecretsOutsideDrafts,
  assertWellFormedWarnings,
  byName,
  expectError,
  expectOk,
  fixture,
} from './helpers.js';

function pbk(text: string): Buffer {
  return Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');
}

describe('importPbk: Windows phonebook in UTF-16LE with a BOM', () => {
  const r = expectOk(
    importPbk(
      'C:\\Users\\alice\\AppData\\Roaming\\Microsoft\\Network\\Connections\\Pbk\\rasphone-utf16le.pbk',
      fixture('rasphone-utf16le.pbk'),
    ),
  );

  it('keeps the SSTP entries and names the file by its base name', () => {
    assert.equal(r.format, 'pbk');
    assert.deepEqual(
      r.profiles.map((p) => p.draft.name),
      ['Office SSTP', 'Branch Überlingen', 'Always On VPN'],
    );
    assert.equal(r.profiles[0]?.source.file, 'rasphone-utf16le.pbk');
    assert.equal(r.profiles[0]?.source.line, 1);
    assertWellFormedWarnings(r, 'rasphone-utf16le.pbk');
  });

  it('maps PhoneNumber, AuthRestrictions, ExcludedProtocols and the redial keys', () => {
    const office = byName(r, 'Office SSTP').draft;
    assert.deepEqual(office.server, { host: 'vpn.example.com', port: 443 });
    assert.equal(office.username, '');
    assert.deepEqual(office.authMethods, ['mschapv2']);
    assert.equal(office.ipv6, true);
    assert.deepEqual(office.reconnect, { enabled: true, maxAttempts: 3 });
    const branch = byName(r, 'Branch Überlingen').draft;
    assert.deepEqual(branch.server, { host: 'branch.example.org', port: 8443 });
    assert.deepEqual(branch.authMethods, ['eap-mschapv2']);
    assert.equal(branch.ipv6, false);
    const aovpn = byName(r, 'Always On VPN').draft;
    // AuthRestrictions 640 = MS-CHAPv2 + EAP, CustomAuthKey 25 = PEAP.
    assert.deepEqual(aovpn.authMethods, ['mschapv2', 'eap-peap']);
    assert.deepEqual(aovpn.reconnect, { enabled: false });
  });

  it('skips non-SSTP entries with a warning naming file, line and entry', () => {
    const texts = r.warnings.map((w) => w.text);
    assert.ok(
      texts.some((t) =>
        /^rasphone-utf16le\.pbk:\d+: VpnStrategy=1 \(PPTP only\) never uses SSTP; entry "Legacy PPTP" skipped$/.test(t),
      ),
      texts.join('\n'),
    );
    assert.ok(texts.some((t) => /Type=1 is a dial-up .* entry "Dial-up ISP" skipped/.test(t)));
  });

  it('explains what it could not keep: split without routes, static DNS, fallback strategies', () => {
    const texts = r.warnings.map((w) => w.message).join('\n');
    assert.match(texts, /"Office SSTP": split tunnel \(IpPrioritizeRemote=0\)/);
    assert.match(texts, /static DNS servers "10\.1\.0\.53" are not kept/);
    assert.doesNotMatch(texts, /PEAP/);
    assert.match(texts, /VpnStrategy=14 \(IKEv2, then SSTP\)/);
  });

  it('has no secrets (phonebooks do not store passwords)', () => {
    for (const p of r.profiles) assert.deepEqual(p.secrets, {});
    assertSecretsOutsideDrafts(r);
  });
});

describe('importPbk: ANSI (Windows-1252) phonebook', () => {
  const r = expectOk(importPbk('rasphone-ansi.pbk', fixture('rasphone-ansi.pbk')));

  it('decodes umlauts and the en dash, reads IPv6 literals with a port', () => {
    assert.deepEqual(
      r.profiles.map((p) => p.draft.name),
      ['Büro Köln', 'Zürich – Außendienst'],
    );
    assert.deepEqual(byName(r, 'Zürich – Außendienst').draft.server, { host: '2001:db8::10', port: 4443 });
  });

  it('maps AuthRestrictions 632 to the methods Causeway has, reports MS-CHAP v1, imports the alternate', () => {
    assert.deepEqual(byName(r, 'Büro Köln').draft.authMethods, ['mschapv2', 'chap', 'pap']);
    const texts = r.warnings.map((w) => w.message).join('\n');
    assert.match(texts, /MS-CHAP \(v1\) is not supported/);
    assert.deepEqual(byName(r, 'Büro Köln').draft.alternateServers, [{ host: 'koeln-backup.example.de', port: 443 }]);
  });
});

describe('importPbk: alternate servers (PhoneNumber groups, TryNextAlternateOnFail, LastSelectedPhone)', () => {
  // The layout Windows writes: each number with its own AreaCode/CountryCode/Comment group, then the hunting keys.
  const device = (numbers: string[], tail: string) =>
    `[Pool]\nType=2\nVpnStrategy=5\nMEDIA=rastapi\nDevice=WAN Miniport (SSTP)\nDEVICE=vpn\n` +
    numbers
      .map((n) => `PhoneNumber=${n}\nAreaCode=\nCountryCode=0\nCountryID=0\nUseDialingRules=0\nComment=\n`)
      .join('') +
    tail;

  it('imports the later numbers as alternates, in order, brackets and ports understood', () => {
    const r = expectOk(
      importPbk(
        'x.pbk',
        pbk(
          device(
            ['vpn1.example.com', '[2001:db8::2]:8443', 'vpn3.example.com:4443'],
            'LastSelectedPhone=0\nPromoteAlternates=0\nTryNextAlternateOnFail=1\n',
          ),
        ),
      ),
    );
    const d = r.profiles[0]?.draft;
    assert.deepEqual(d?.server, { host: 'vpn1.example.com', port: 443 });
    assert.deepEqual(d?.alternateServers, [
      { host: '2001:db8::2', port: 8443 },
      { host: 'vpn3.example.com', port: 4443 },
    ]);
  });

  it('LastSelectedPhone is dialled first; TryNextAlternateOnFail=0 keeps only that one, saying so', () => {
    const first = expectOk(
      importPbk(
        'x.pbk',
        pbk(device(['a.example.com', 'b.example.com'], 'LastSelectedPhone=1\nTryNextAlternateOnFail=1\n')),
      ),
    );
    assert.deepEqual(first.profiles[0]?.draft.server, { host: 'b.example.com', port: 443 });
    assert.deepEqual(first.profiles[0]?.draft.alternateServers, [{ host: 'a.example.com', port: 443 }]);
    const off = expectOk(
      importPbk('x.pbk', pbk(device(['a.example.com', 'b.example.com'], 'TryNextAlternateOnFail=0\n'))),
    );
    assert.equal(off.profiles[0]?.draft.alternateServers, undefined);
    assert.ok(
      off.warnings.some((w) =>
        /"b\.example\.com" not imported: the entry does not try them on failure \(TryNextAlternateOnFail=0\)/.test(
          w.message,
        ),
      ),
    );
  });

  it('a bad alternate is left out with a warning, the entry still imports', () => {
    const r = expectOk(
      importPbk('x.pbk', pbk(device(['a.example.com', 'not a host!', 'c.example.com'], 'TryNextAlternateOnFail=1\n'))),
    );
    assert.deepEqual(r.profiles[0]?.draft.alternateServers, [{ host: 'c.example.com', port: 443 }]);
    assert.ok(r.warnings.some((w) => /alternate PhoneNumber "not a host!"/.test(w.message)));
  });
});

describe('importPbk: deciding what is SSTP', () => {
  const entry = (name: string, keys: string): string =>
    `[${name}]\nType=2\n${keys}\nDEVICE=vpn\nPhoneNumber=${name.toLowerCase().replace(/\W/g, '')}.example.com\n\n`;

  it('imports SSTP-only and SSTP-first, skips every strategy that never uses SSTP', () => {
    const text = [5, 6, 1, 2, 3, 4, 7, 9].map((s) => entry(`S${s}`, `VpnStrategy=${s}`)).join('');
    const r = expectOk(importPbk('x.pbk', pbk(text)));
    assert.deepEqual(
      r.profiles.map((p) => p.draft.name),
      ['S5', 'S6'],
    );
    assert.equal(r.warnings.filter((w) => /never uses SSTP/.test(w.message)).length, 6);
  });

  it('lets the device decide when the strategy is automatic', () => {
    const text =
      entry('Auto SSTP', 'VpnStrategy=0\nPreferredDevice=WAN Miniport (SSTP)') +
      entry('Auto IKE', 'VpnStrategy=0\nPreferredDevice=WAN Miniport (IKEv2)') +
      entry('Unknown', '');
    const r = expectOk(importPbk('x.pbk', pbk(text)));
    assert.deepEqual(
      r.profiles.map((p) => p.draft.name),
      ['Auto SSTP', 'Unknown'],
    );
    assert.ok(r.warnings.some((w) => /"WAN Miniport \(IKEv2\)", not SSTP; entry "Auto IKE" skipped/.test(w.message)));
    assert.ok(r.warnings.some((w) => /cannot tell whether this server speaks SSTP/.test(w.message)));
  });

  it('reads the non-standard User key and a server given as a URL', () => {
    const r = expectOk(
      importPbk('x.pbk', pbk('[A]\nType=2\nVpnStrategy=5\nUser=bob\nPhoneNumber=https://vpn.example.com:8443/\n')),
    );
    assert.equal(r.profiles[0]?.draft.username, 'bob');
    assert.deepEqual(r.profiles[0]?.draft.server, { host: 'vpn.example.com', port: 8443 });
  });

  it('skips entries without a server or with an unusable one', () => {
    const r = importPbk(
      'x.pbk',
      pbk('[NoPhone]\nType=2\nVpnStrategy=5\n[Bad]\nType=2\nVpnStrategy=5\nPhoneNumber=vpn.example.com:99999\n'),
    );
    const e = expectError(r);
    assert.equal(e.code, 'no-profiles');
    if (e.code !== 'no-profiles') return;
    assert.equal(e.warnings.length, 2);
    assert.match(e.warnings[0]?.text ?? '', /^x\.pbk:1: entry "NoPhone" has no server/);
    assert.match(e.warnings[1]?.text ?? '', /^x\.pbk:7: PhoneNumber "vpn\.example\.com:99999" has an invalid port/);
  });

  it('says clearly when a phonebook has no SSTP entry at all', () => {
    const e = expectError(importPbk('only-pptp.pbk', pbk(entry('P', 'VpnStrategy=1'))));
    assert.equal(e.code, 'no-profiles');
    assert.match(e.text, /^only-pptp\.pbk: no SSTP phonebook entries could be imported/);
  });
});
