// `profiles add|edit` flags → a change to a profile draft (pure), and how commander hands them over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyDraft, parseProfileFlags, type ProfileFlagOptions } from '../../../main/cli/profiles/flags.js';
import { applyFlags, commanderOptions } from './profile-flags-support.js';
import { validateDraft, type ProfileDraft } from '../../../main/contract/profile.js';

const PIN = 'AB:'.repeat(31) + 'AB';

const apply = (o: ProfileFlagOptions, from: ProfileDraft = emptyDraft('Office')): ProfileDraft => applyFlags(o, from);

describe('profiles add/edit flags', () => {
  it('builds a complete draft that the schema accepts', () => {
    const d = apply({
      server: 'vpn.example.com:8443',
      user: 'CORP\\alice',
      auth: 'pap,mschapv2',
      tlsMin: '1.3',
      sni: 'sstp.example.com',
      pin: `sha256:${PIN}`,
      proxy: 'http://pxuser@127.0.0.1:3128',
      split: ['10.0.0.0/8,192.168.1.0/24', 'fd00::/8'],
      dns: false,
      ipv6: true,
      mtu: '1400',
    });
    assert.deepEqual(d.server, { host: 'vpn.example.com', port: 8443 });
    assert.equal(d.username, 'CORP\\alice');
    assert.deepEqual(d.authMethods, ['pap', 'mschapv2']);
    assert.deepEqual(d.tls, { minVersion: 'TLSv1.3', sni: 'sstp.example.com', pinnedSha256: 'ab'.repeat(32) });
    assert.deepEqual(d.proxy, { host: '127.0.0.1', port: 3128, username: 'pxuser' });
    assert.deepEqual(d.routing, { mode: 'split', routes: ['10.0.0.0/8', '192.168.1.0/24', 'fd00::/8'] });
    assert.equal(d.dns, false);
    assert.equal(d.ipv6, true);
    assert.equal(d.mtu, 1400);
    assert.ok(validateDraft(d).ok);
  });

  it('--allow-no-auth is an explicit opt-in that --no-allow-no-auth takes back', () => {
    const on = apply({
      server: 'h',
      allowNoAuth: commanderOptions('add', ['--server', 'h', '--allow-no-auth']).allowNoAuth,
    });
    assert.equal(on.allowNoAuthentication, true);
    assert.ok(validateDraft(on).ok);
    const off = apply({ allowNoAuth: commanderOptions('edit', ['--no-allow-no-auth']).allowNoAuth }, on);
    assert.equal('allowNoAuthentication' in off, false);
    assert.equal(commanderOptions('edit', []).allowNoAuth, undefined, 'absent leaves the profile alone');
  });

  it('changes only what is given, and --no-X removes a field', () => {
    const base = apply({
      server: 'h',
      user: 'u',
      pin: PIN,
      sni: 'n',
      proxy: 'http://p:1',
      split: ['10.0.0.0/8'],
      ipv6: true,
    });
    const edited = apply({ pin: false, sni: false, proxy: false, full: true }, base);
    assert.equal(edited.username, 'u');
    assert.equal(edited.ipv6, true);
    assert.deepEqual(edited.tls, {});
    assert.equal('proxy' in edited, false);
    assert.deepEqual(edited.routing, { mode: 'full' });
    assert.equal(apply({ name: 'Home' }, base).name, 'Home');
  });

  it('names the problem for bad values', () => {
    const cases: [ProfileFlagOptions, RegExp][] = [
      [{ server: 'a b' }, /not a host/],
      [{ auth: 'pap,telnet' }, /telnet/],
      [{ pin: 'sha256:1234' }, /64 hex digits/],
      [{ tlsMin: '1.1' }, /1\.2 or 1\.3/],
      [{ proxy: 'socks5://x:1' }, /http/],
      [{ mtu: 'big' }, /whole number/],
      [{ split: [' , '] }, /at least one network/],
      [{ full: true, split: ['10.0.0.0/8'] }, /contradict/],
      [{ passwordStdin: true, proxyPasswordStdin: true }, /standard input/],
      [{ proxy: false, proxyPasswordStdin: true }, /contradict/],
    ];
    for (const [o, re] of cases) {
      const r = parseProfileFlags(o);
      assert.equal(r.ok, false, JSON.stringify(o));
      assert.match(r.ok ? '' : r.error, re);
    }
  });

  it('refuses a proxy password on the command line', () => {
    const r = parseProfileFlags({ proxy: 'http://u:s3cret@proxy:3128' });
    assert.equal(r.ok, false);
    const message = r.ok ? '' : r.error;
    assert.match(message, /--proxy-password-stdin/);
    assert.equal(message.includes('s3cret'), false);
  });

  it('says which secret stdin carries and which CA file to import', () => {
    const r = parseProfileFlags({ passwordStdin: true, ca: '/tmp/ca.pem' });
    assert.ok(r.ok);
    assert.equal(r.value.stdinSecret, 'password');
    assert.equal(r.value.caFile, '/tmp/ca.pem');
    const p = parseProfileFlags({ proxyPasswordStdin: true, proxy: 'http://u@p:1' });
    assert.ok(p.ok && p.value.stdinSecret === 'proxy-password');
  });

  it('commander: absent flags are undefined, --no-X is false, --split takes several networks', () => {
    assert.deepEqual(commanderOptions('edit', []), {});
    const o = commanderOptions('edit', [
      '--no-dns',
      '--no-pin',
      '--ipv6',
      '--split',
      '10.0.0.0/8',
      '10.1.0.0/16',
      '--no-proxy',
    ]);
    assert.equal(o.dns, false);
    assert.equal(o.pin, false);
    assert.equal(o.ipv6, true);
    assert.equal(o.proxy, false);
    assert.deepEqual(o.split, ['10.0.0.0/8', '10.1.0.0/16']);
    assert.equal(o.insecure, undefined);
    const add = commanderOptions('add', ['--server', 'h', '--dns']);
    assert.equal(add.dns, true);
    assert.equal(add.server, 'h');
  });

  it('commander: add needs --server', () => {
    assert.throws(() => commanderOptions('add', []), /--server/);
  });
});
