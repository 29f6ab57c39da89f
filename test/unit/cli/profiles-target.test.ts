// resolveConnectTarget: a saved profile (name or id) → SessionConfig with its secrets from the keychain,
// command-line flags over profile fields; otherwise host[:port] as before.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../main/cli/exit-codes.js';
import { openProfileServices, type ProfileServices } from '../../../main/cli/profiles/services.js';
import {
  exitCodeForTargetError,
  resolveConnectTarget,
  type TargetOptions,
  type TargetResult,
} from '../../../main/cli/profiles/target.js';
import { MemoryCredentialStore } from '../../../main/services/credentials/memory-store.js';
import type { Profile } from '../../../main/contract/profile.js';
import { issue } from '../services/trust/helpers/certs.js';

const PIN = 'cd'.repeat(32);

describe('resolveConnectTarget', () => {
  let dir: string;
  let services: ProfileServices;
  let keychain: MemoryCredentialStore;
  let office: Profile;
  let caFile: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-target-'));
    keychain = new MemoryCredentialStore();
    services = openProfileServices(
      { XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') },
      { credentials: keychain },
    );
    const added = await services.store.add({
      name: 'Office',
      server: { host: 'vpn.example.com', port: 8443 },
      username: 'alice',
      authMethods: ['pap', 'mschapv2'],
      tls: { minVersion: 'TLSv1.3', sni: 'sstp.example.com', pinnedSha256: PIN },
      proxy: { host: '127.0.0.1', port: 3128, username: 'px' },
      ipv6: true,
      mtu: 1400,
      routing: { mode: 'split', routes: ['10.0.0.0/8'] },
      dns: false,
    });
    assert.ok(added.ok);
    office = added.value;
    await keychain.set(office.id, 'password', 'office-pw');
    await keychain.set(office.id, 'proxy-password', 'proxy-pw');
    assert.ok((await services.store.add({ name: 'Bare', server: { host: '10.0.0.1' }, username: 'bob' })).ok);
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, issue({ cn: 'Test CA', isCa: true }).pem);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const resolve = (arg: string, o: TargetOptions = {}, stdin = ''): Promise<TargetResult> =>
    resolveConnectTarget(arg, o, { stdin: Readable.from([stdin]), env: {}, services });

  it('builds the session from the profile and the keychain', async () => {
    const r = await resolve('Office');
    assert.ok(r.ok && r.target.kind === 'profile', JSON.stringify(r));
    const c = r.target.config;
    assert.equal(r.target.profile.id, office.id);
    assert.equal(c.host, 'vpn.example.com');
    assert.equal(c.port, 8443);
    assert.equal(c.sni, 'sstp.example.com');
    assert.equal(c.tlsMin, 'TLSv1.3');
    assert.deepEqual(c.trust, { pinSha256: PIN });
    assert.deepEqual(c.credentials, { username: 'alice', password: 'office-pw' });
    assert.deepEqual(c.authMethods, ['pap', 'mschapv2']);
    assert.deepEqual(c.proxy, { host: '127.0.0.1', port: 3128, username: 'px', password: 'proxy-pw' });
    assert.equal(c.ipv6, true);
    assert.equal(c.mru, 1400);
    assert.deepEqual([...r.target.secrets].sort(), ['office-pw', 'proxy-pw']);
    // The caller gets the routing and DNS settings through the profile.
    assert.deepEqual(r.target.profile.routing, { mode: 'split', routes: ['10.0.0.0/8'] });
    assert.equal(r.target.profile.dns, false);
  });

  it('finds a profile case-insensitively and by id', async () => {
    const byCase = await resolve('office');
    assert.ok(byCase.ok && byCase.target.kind === 'profile' && byCase.target.profile.id === office.id);
    const byId = await resolve(office.id);
    assert.ok(byId.ok && byId.target.kind === 'profile' && byId.target.profile.name === 'Office');
  });

  it('lets command-line flags override profile fields', async () => {
    const r = await resolve('Office', {
      user: 'carol',
      auth: 'chap',
      tlsMin: '1.2',
      sni: 'other.example.com',
      pin: `sha256:${'EF'.repeat(32)}`,
      mru: '1300',
      proxy: 'http://127.0.0.2:8080',
      insecure: true,
      ca: caFile,
    });
    assert.ok(r.ok && r.target.kind === 'profile', JSON.stringify(r));
    const c = r.target.config;
    assert.equal(c.credentials.username, 'carol');
    assert.deepEqual(c.authMethods, ['chap']);
    assert.equal(c.tlsMin, 'TLSv1.2');
    assert.equal(c.sni, 'other.example.com');
    assert.equal(c.trust.pinSha256, 'EF'.repeat(32));
    assert.equal(c.trust.insecure, true);
    assert.match(c.trust.caPem ?? '', /BEGIN CERTIFICATE/);
    assert.equal(c.mru, 1300);
    assert.deepEqual(c.proxy, { host: '127.0.0.2', port: 8080 });
    assert.deepEqual(r.target.secrets, ['office-pw']);
  });

  it('takes the password from stdin instead of the keychain with --password-stdin', async () => {
    const r = await resolve('Office', { passwordStdin: true }, 'typed-pw\n');
    assert.ok(r.ok && r.target.config.credentials.password === 'typed-pw');
  });

  it('says how to save a password when none is stored (exit 2)', async () => {
    const r = await resolve('Bare');
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'password-missing');
    assert.match(r.error.message, /causeway profiles edit "Bare" --password-stdin/);
    assert.equal(exitCodeForTargetError(r.error), EXIT.usage);
  });

  it('suggests --password-stdin when the keychain cannot be reached (exit 1)', async () => {
    keychain.unavailable = true;
    try {
      const r = await resolve('Office');
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'keychain-unavailable');
      assert.match(r.error.message, /--password-stdin/);
      assert.equal(exitCodeForTargetError(r.error), EXIT.failure);
      // With the password on stdin the keychain is still needed for the proxy password of this profile…
      const px = await resolve('Office', { passwordStdin: true }, 'pw');
      assert.ok(!px.ok && px.error.kind === 'keychain-unavailable');
      // …but not for one without a proxy.
      const ok = await resolve('Bare', { passwordStdin: true }, 'pw');
      assert.ok(ok.ok && ok.target.config.credentials.password === 'pw');
    } finally {
      keychain.unavailable = false;
    }
  });

  it('checks flag values before touching the keychain', async () => {
    keychain.unavailable = true;
    try {
      for (const o of [
        { auth: 'telnet' },
        { pin: 'nope' },
        { mru: '99' },
        { tlsMin: '1.0' },
        { proxy: 'ftp://x' },
        { ca: join(dir, 'missing.pem') },
      ]) {
        const r = await resolve('Office', o);
        assert.ok(!r.ok && r.error.kind === 'usage', JSON.stringify(o));
        assert.equal(exitCodeForTargetError(r.error), EXIT.usage);
      }
    } finally {
      keychain.unavailable = false;
    }
  });

  it('reads a profile CA file into the trust policy, and names a CA file that went missing', async () => {
    const withCa = await services.store.add({
      name: 'WithCA',
      server: { host: 'h.example' },
      username: 'u',
      tls: { caFile },
    });
    assert.ok(withCa.ok);
    await keychain.set(withCa.value.id, 'password', 'pw');
    const r = await resolve('WithCA');
    assert.ok(r.ok && /BEGIN CERTIFICATE/.test(r.target.config.trust.caPem ?? ''));
    const gone = await services.store.add({
      name: 'GoneCA',
      server: { host: 'h.example' },
      username: 'u',
      tls: { caFile: join(dir, 'gone.pem') },
    });
    assert.ok(gone.ok);
    await keychain.set(gone.value.id, 'password', 'pw');
    const g = await resolve('GoneCA');
    assert.ok(!g.ok && g.error.kind === 'configuration');
    assert.match(g.error.message, /gone\.pem/);
  });

  it('needs a user name: from the profile or --user', async () => {
    const noUser = await services.store.add({ name: 'NoUser', server: { host: 'h.example' }, username: '' });
    assert.ok(noUser.ok);
    const r = await resolve('NoUser');
    assert.ok(!r.ok && r.error.kind === 'usage');
    assert.match(r.error.message, /--user/);
    const withUser = await resolve('NoUser', { user: 'dave', passwordStdin: true }, 'pw');
    assert.ok(withUser.ok && withUser.target.config.credentials.username === 'dave');
  });

  it('takes anything else as host[:port], as before', async () => {
    const r = await resolve(
      'vpn.other.example:4443',
      { user: 'eve', passwordStdin: true, proxy: 'http://u@127.0.0.1:1', proxyPasswordStdin: true },
      'pw\nproxy-secret\n',
    );
    assert.ok(r.ok && r.target.kind === 'address');
    assert.equal(r.target.config.host, 'vpn.other.example');
    assert.equal(r.target.config.port, 4443);
    assert.deepEqual(r.target.config.authMethods, ['mschapv2', 'eap-mschapv2']);
    assert.equal(r.target.warning, undefined, 'nothing weak was asked for');
    assert.equal(r.target.config.tlsMin, 'TLSv1.2');
    assert.equal(r.target.config.mru, 1500);
    assert.deepEqual(r.target.secrets, ['pw', 'proxy-secret']);
    assert.deepEqual(r.target.config.proxy, { host: '127.0.0.1', port: 1, username: 'u', password: 'proxy-secret' });
  });

  it('refuses a proxy password in the URL, and asks for the user name when only the flag is given', async () => {
    const inUrl = await resolve(
      'vpn.other.example',
      { user: 'eve', passwordStdin: true, proxy: 'http://u:proxy-secret@127.0.0.1:1' },
      'pw\n',
    );
    assert.ok(!inUrl.ok && inUrl.error.kind === 'usage');
    assert.match(inUrl.error.message, /--proxy-password-stdin/);
    assert.doesNotMatch(inUrl.error.message, /proxy-secret/);
    const noUser = await resolve(
      'vpn.other.example',
      { user: 'eve', passwordStdin: true, proxy: 'http://127.0.0.1:1', proxyPasswordStdin: true },
      'pw\nx\n',
    );
    assert.ok(!noUser.ok && noUser.error.kind === 'usage');
    assert.match(noUser.error.message, /needs the proxy user name/);
  });

  it('an ad-hoc --auth with PAP connects with it but warns that PAP hands over the password', async () => {
    const r = await resolve('vpn.other.example', { user: 'eve', passwordStdin: true, auth: 'pap' }, 'pw\n');
    assert.ok(r.ok && r.target.kind === 'address');
    assert.deepEqual(r.target.config.authMethods, ['pap']);
    assert.match(r.target.warning ?? '', /PAP .*whoever holds the server certificate/);
  });

  it('explains a name that is neither a profile nor usable as a host', async () => {
    const noUser = await resolve('Offfice');
    assert.ok(!noUser.ok && noUser.error.kind === 'usage');
    assert.match(noUser.error.message, /No profile named "Offfice"/);
    const notHost = await resolve('My Office');
    assert.ok(!notHost.ok && notHost.error.kind === 'usage');
    assert.match(notHost.error.message, /neither a saved profile/);
    const noPw = await resolve('vpn.example.net', { user: 'u' });
    assert.ok(!noPw.ok && /--password-stdin/.test(noPw.error.message));
  });

  it('a corrupt profiles file is reported, and a host still works', async () => {
    const d = await mkdtemp(join(tmpdir(), 'cw-target-bad-'));
    try {
      const s = openProfileServices(
        { XDG_CONFIG_HOME: d, XDG_STATE_HOME: d },
        { credentials: new MemoryCredentialStore() },
      );
      await mkdir(join(d, 'causeway'), { recursive: true });
      await writeFile(s.store.file, '{ not json');
      const r = await resolveConnectTarget('Office Name', {}, { stdin: Readable.from(['']), env: {}, services: s });
      assert.ok(!r.ok && r.error.kind === 'profiles-unreadable', JSON.stringify(r));
      await writeFile(s.store.file, '{ not json');
      const h = await resolveConnectTarget(
        'vpn.example.com',
        { user: 'u', passwordStdin: true },
        { stdin: Readable.from(['pw']), env: {}, services: s },
      );
      assert.ok(h.ok && h.target.kind === 'address' && h.target.warning !== undefined);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});
