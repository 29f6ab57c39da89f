// The profile verbs run in-process against temporary XDG directories and an in-memory keychain:
// profiles add/edit/show/list/remove, import (every format), export, logs, and `test NAME` writing a
// connection log and offering to pin an untrusted certificate.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createServer, type Server } from 'node:tls';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import forge from 'node-forge';
import type { CliContext } from '../../../main/cli/context.js';
import { registerExportCommand } from '../../../main/cli/commands/export.js';
import { registerImportCommand } from '../../../main/cli/commands/import.js';
import { registerLogsCommand } from '../../../main/cli/commands/logs.js';
import { registerProfilesCommand } from '../../../main/cli/commands/profiles.js';
import { registerTestCommand } from '../../../main/cli/commands/test.js';
import { followLogs } from '../../../main/cli/profiles/log-follow.js';
import { openProfileServices, type ProfileServices } from '../../../main/cli/profiles/services.js';
import { MemoryCredentialStore } from '../../../main/services/credentials/memory-store.js';
import type { LogEntry } from '../../../main/engine/log.js';
import type { Profile } from '../../../main/contract/profile.js';
import { issue } from '../services/trust/helpers/certs.js';

const FIXTURES = new URL('../../fixtures/import/', import.meta.url).pathname;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly json: Record<string, unknown>[];
}

let dir: string;
let keychain: MemoryCredentialStore;
let services: ProfileServices;

async function cw(args: string[], stdin = ''): Promise<Run> {
  let code = 0;
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: Readable.from([stdin]),
    env: {},
    setExitCode: (c) => void (code = c),
  };
  const program = new Command('causeway')
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr });
  registerTestCommand(program, ctx, services);
  registerProfilesCommand(program, ctx, () => services);
  registerImportCommand(program, ctx, () => services);
  registerExportCommand(program, ctx, () => services);
  registerLogsCommand(program, ctx, { open: () => services });
  try {
    await program.parseAsync(['node', 'causeway', ...args]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? 0 : 2;
  }
  const json: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    try {
      if (line.startsWith('{')) json.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a JSON line (e.g. the first line of a pretty-printed export)
    }
  }
  return { code, stdout, stderr, json };
}

async function profiles(): Promise<readonly Profile[]> {
  const all = await services.store.list();
  assert.ok(all.ok);
  return all.value;
}

async function profile(name: string): Promise<Profile> {
  const p = await services.store.getByName(name);
  assert.ok(p.ok, `no profile ${name}`);
  return p.value;
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-profiles-'));
  keychain = new MemoryCredentialStore();
  services = openProfileServices(
    { XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') },
    { credentials: keychain },
  );
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('causeway profiles', () => {
  it('add saves the profile and puts the password from stdin in the keychain, never in the file', async () => {
    const r = await cw(
      [
        'profiles',
        'add',
        'Office',
        '--server',
        'vpn.example.com:8443',
        '--user',
        'alice',
        '--auth',
        'pap',
        '--split',
        '10.0.0.0/8',
        '--no-dns',
        '--password-stdin',
      ],
      'Sekr1t-pw\n',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Saved profile "Office"/);
    const p = await profile('Office');
    assert.deepEqual(p.server, { host: 'vpn.example.com', port: 8443 });
    assert.deepEqual(p.routing, { mode: 'split', routes: ['10.0.0.0/8'] });
    assert.equal(p.dns, false);
    assert.deepEqual(await keychain.get(p.id, 'password'), { ok: true, value: 'Sekr1t-pw' });
    assert.equal((await readFile(services.store.file, 'utf8')).includes('Sekr1t'), false);

    const show = await cw(['profiles', 'show', 'office', '--json']);
    assert.equal(show.code, 0);
    assert.equal(show.json[0]?.['passwordSaved'], true);
    assert.equal((show.json[0]?.['profile'] as Profile).name, 'Office');
    assert.equal(show.stdout.includes('Sekr1t'), false);
    const text = await cw(['profiles', 'show', 'Office']);
    assert.match(text.stdout, /password\s+saved in the keychain/);
    const list = await cw(['profiles', 'list']);
    assert.match(list.stdout, /Office\s+vpn\.example\.com:8443\s+alice\s+pap\s+system CAs/);
    const listJson = await cw(['profiles', 'list', '--json']);
    assert.equal((listJson.json[0]?.['profiles'] as Profile[]).length, 1);
  });

  it('add refuses bad values (exit 2) and a taken name (exit 1), saving nothing', async () => {
    assert.equal(
      (await cw(['profiles', 'add', 'A', '--server', 'h', '--user', 'u', '--split', '10.0.0.0/99'])).code,
      2,
    );
    assert.equal((await cw(['profiles', 'add', 'A', '--user', 'u'])).code, 2);
    assert.equal((await cw(['profiles', 'add', 'A', '--server', 'h', '--ca', join(dir, 'nope.pem')])).code, 2);
    assert.equal((await profiles()).length, 0);
    assert.equal((await cw(['profiles', 'add', 'A', '--server', 'h'])).code, 0);
    const clash = await cw(['profiles', 'add', 'a', '--server', 'h2']);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /already exists/);
  });

  it('add with an unreachable keychain leaves nothing behind', async () => {
    keychain.unavailable = true;
    const r = await cw(['profiles', 'add', 'Office', '--server', 'h', '--user', 'u', '--password-stdin'], 'pw');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /keychain cannot be used/);
    assert.match(r.stderr, /Nothing was saved/);
    assert.equal((await profiles()).length, 0);
  });

  it('add --ca keeps a copy of the CA under the config dir; edit --no-ca and remove let it go', async () => {
    const src = join(dir, 'ca.pem');
    await writeFile(src, issue({ cn: 'Corp CA', isCa: true }).pem);
    const r = await cw(['profiles', 'add', 'Corp', '--server', 'h', '--ca', src]);
    assert.equal(r.code, 0, r.stderr);
    const p = await profile('Corp');
    assert.equal(p.tls.caFile, join(services.paths.caDir, `${p.id}.pem`));
    assert.match(await readFile(p.tls.caFile ?? '', 'utf8'), /BEGIN CERTIFICATE/);
    assert.equal((await cw(['profiles', 'edit', 'Corp', '--no-ca'])).code, 0);
    assert.equal((await profile('Corp')).tls.caFile, undefined);
  });

  it('edit changes only what is given, pins, renames and replaces the password', async () => {
    await cw(['profiles', 'add', 'Office', '--server', 'h', '--user', 'alice', '--ipv6', '--password-stdin'], 'old-pw');
    const id = (await profile('Office')).id;
    const pin = 'AB'.repeat(32);
    const r = await cw(
      ['profiles', 'edit', 'Office', '--pin', `sha256:${pin}`, '--name', 'HQ', '--password-stdin', '--json'],
      'new-pw',
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json[0]?.['event'], 'saved');
    const p = await profile('HQ');
    assert.equal(p.id, id);
    assert.equal(p.tls.pinnedSha256, pin.toLowerCase());
    assert.equal(p.username, 'alice');
    assert.equal(p.ipv6, true);
    assert.deepEqual(await keychain.get(id, 'password'), { ok: true, value: 'new-pw' });
    assert.equal((await cw(['profiles', 'edit', 'HQ', '--no-pin'])).code, 0);
    assert.equal((await profile('HQ')).tls.pinnedSha256, undefined);
  });

  it('edit: nothing to change and bad flags are usage errors; an unknown profile exits 1', async () => {
    await cw(['profiles', 'add', 'Office', '--server', 'h']);
    await cw(['profiles', 'add', 'Home', '--server', 'h']);
    assert.equal((await cw(['profiles', 'edit', 'Office'])).code, 2);
    assert.equal((await cw(['profiles', 'edit', 'Office', '--pin', 'xyz'])).code, 2);
    assert.equal((await cw(['profiles', 'edit', 'Office', '--proxy-password-stdin'], 'pp')).code, 2);
    const missing = await cw(['profiles', 'edit', 'Nope', '--ipv6']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No profile named "Nope"/);
    assert.equal((await cw(['profiles', 'edit', 'Office', '--name', 'home'])).code, 1);
  });

  it('--dns-search with --no-dns is refused on add and edit, and nothing is saved', async () => {
    const both = await cw(['profiles', 'add', 'Corp', '--server', 'h', '--dns-search', 'corp.test', '--no-dns']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--dns-search cannot be used with --no-dns/);
    assert.equal((await cw(['profiles', 'show', 'Corp'])).code, 1, 'the refused add saved nothing');
    assert.equal((await cw(['profiles', 'add', 'Corp', '--server', 'h', '--dns-search', 'corp.test'])).code, 0);
    const off = await cw(['profiles', 'edit', 'Corp', '--no-dns']);
    assert.equal(off.code, 2);
    assert.match(off.stderr, /DNS search domains \(corp\.test\) unused: add --no-dns-search/);
    assert.equal((await profile('Corp')).dns, true, 'the refused edit changed nothing');
    assert.equal((await cw(['profiles', 'edit', 'Corp', '--no-dns', '--no-dns-search'])).code, 0);
    const p = await profile('Corp');
    assert.equal(p.dns, false);
    assert.equal(p.dnsSearchDomains, undefined);
    const back = await cw(['profiles', 'edit', 'Corp', '--dns-search', 'corp.test']);
    assert.equal(back.code, 2);
    assert.match(back.stderr, /add --dns to turn them on/);
  });

  it('edit --proxy-password-stdin saves the proxy password; --no-proxy deletes it', async () => {
    await cw(['profiles', 'add', 'P', '--server', 'h', '--proxy', 'http://px@127.0.0.1:3128']);
    const id = (await profile('P')).id;
    assert.equal((await cw(['profiles', 'edit', 'P', '--proxy-password-stdin'], 'proxy-pw')).code, 0);
    assert.deepEqual(await keychain.get(id, 'proxy-password'), { ok: true, value: 'proxy-pw' });
    assert.equal((await cw(['profiles', 'edit', 'P', '--no-proxy'])).code, 0);
    assert.deepEqual(await keychain.get(id, 'proxy-password'), { ok: true, value: undefined });
  });

  it('remove deletes the profile, its keychain secrets and its logs', async () => {
    await cw(['profiles', 'add', 'Office', '--server', 'h', '--user', 'u', '--password-stdin'], 'pw-1');
    const p = await profile('Office');
    await keychain.set(p.id, 'proxy-password', 'pw-2');
    const log = services.logs.start(p.id);
    assert.ok(log.ok);
    log.value.close();
    const r = await cw(['profiles', 'remove', 'Office', '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.json[0], { event: 'removed', profile: { id: p.id, name: 'Office' }, secretsDeleted: true });
    assert.equal(keychain.size, 0);
    assert.equal((await profiles()).length, 0);
    assert.deepEqual(await filesUnder(services.paths.logsDir), []);
    assert.equal((await cw(['profiles', 'remove', 'Office'])).code, 1);
  });
});

describe('weak sign-in settings on save', () => {
  it('profiles add with PAP and --allow-no-auth saves them and warns about each; show says so', async () => {
    const r = await cw([
      'profiles',
      'add',
      'Weak',
      '--server',
      'weak.example.test',
      '--auth',
      'pap,mschapv2',
      '--allow-no-auth',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: PAP is allowed: it sends your password itself/);
    assert.match(r.stderr, /warning: a server that asks for no authentication will be accepted/);
    assert.equal((await profile('Weak')).allowNoAuthentication, true);
    const plain = await cw(['profiles', 'add', 'Plain', '--server', 'plain.example.test']);
    assert.equal(plain.stderr, '');
    const shown = await cw(['profiles', 'show', 'Weak']);
    assert.match(shown.stdout, /a server asking for none is accepted/);
  });
});

describe('causeway import', () => {
  it('imports the NetworkManager fixture: password to the keychain, not the profile', async () => {
    const r = await cw(['import', join(FIXTURES, 'softether-test.nmconnection')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /NetworkManager connection, 1 SSTP profile/);
    assert.match(r.stdout, /line 1\s+softether-test — 10\.200\.0\.1, user testuser, password → keychain/);
    const p = await profile('softether-test');
    assert.deepEqual(p.authMethods, ['mschapv2']);
    assert.deepEqual(await keychain.get(p.id, 'password'), { ok: true, value: 'testpass' });
    assert.equal((await readFile(services.store.file, 'utf8')).includes('testpass'), false);
    assert.equal(r.stdout.includes('testpass'), false);
  });

  // The last column: the file carries settings that weaken security (PAP/CHAP, insecure, a pin…).
  const formats: [string, string, number, boolean][] = [
    ['rasphone-ansi.pbk', 'pbk', 2, true],
    ['rasphone-utf16le.pbk', 'pbk', 3, false],
    ['mikrotik-export.rsc', 'mikrotik', 3, false],
    ['mikrotik-oneliners.rsc', 'mikrotik', 2, true],
    ['sstpc-commands.sh', 'sstpc', 4, true],
    ['causeway-export.json', 'causeway', 2, true],
    ['corp-bom-crlf.nmconnection', 'nmconnection', 1, true],
  ];
  for (const [file, format, count, weak] of formats) {
    it(`imports ${file} (${format}) with --json, warnings naming file:line${weak ? ', weakening settings only on request' : ''}`, async () => {
      if (weak) {
        const refused = await cw(['import', join(FIXTURES, file), '--json']);
        assert.equal(refused.code, 2, refused.stdout + refused.stderr);
        assert.match(String(refused.json[0]?.['message']), /weaken.*--accept-weak-settings/);
        assert.equal((await profiles()).length, 0);
      }
      const r = await cw(['import', join(FIXTURES, file), '--json', ...(weak ? ['--accept-weak-settings'] : [])]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const out = r.json[0] ?? {};
      assert.equal(out['format'], format);
      assert.equal((out['saved'] as unknown[]).length, count);
      for (const w of out['warnings'] as { text: string }[])
        assert.match(w.text, new RegExp(`^${file.replace(/\./g, '\\.')}:\\d+: `));
      assert.equal((await profiles()).length, count);
      const withPw = (out['profiles'] as { password: string }[]).filter((p) => p.password === 'keychain').length;
      assert.equal(keychain.size >= withPw, true);
    });
  }

  it('the listing names each weakening setting, from a Causeway export too', async () => {
    const r = await cw(['import', join(FIXTURES, 'causeway-export.json'), '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /weakens security: /);
    const j = await cw(['import', join(FIXTURES, 'causeway-export.json'), '--dry-run', '--json']);
    const risks = (j.json[0]?.['profiles'] as { risks: { field: string }[] }[]).flatMap((p) =>
      p.risks.map((x) => x.field),
    );
    assert.ok(risks.length > 0, JSON.stringify(j.json));
  });

  it('--dry-run shows what it found and saves nothing', async () => {
    const r = await cw(['import', join(FIXTURES, 'mikrotik-export.rsc'), '--dry-run']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /MikroTik export, 3 SSTP profiles/);
    assert.match(r.stdout, /mikrotik-export\.rsc:15: "sstp-v1only"/);
    assert.match(r.stdout, /Nothing was saved/);
    assert.equal((await profiles()).length, 0);
    assert.equal(keychain.size, 0);
  });

  it('a taken name stops the whole import with file:line; --rename saves "NAME (2)"', async () => {
    await cw(['profiles', 'add', 'sstp-legacy', '--server', 'keep.example.com']);
    const r = await cw(['import', join(FIXTURES, 'mikrotik-export.rsc')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /mikrotik-export\.rsc:13: a profile named "sstp-legacy" already exists/);
    assert.deepEqual(
      (await profiles()).map((p) => p.name),
      ['sstp-legacy'],
    );
    const renamed = await cw(['import', join(FIXTURES, 'mikrotik-export.rsc'), '--rename']);
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.match(renamed.stdout, /saved as "sstp-legacy \(2\)"/);
    assert.equal((await profile('sstp-legacy')).server.host, 'keep.example.com');
    assert.equal((await profile('sstp-legacy (2)')).server.host, '203.0.113.7');
  });

  it('a malformed file exits 1 naming file:line; an unknown or non-SSTP file too', async () => {
    const bad = join(dir, 'broken.json');
    await writeFile(
      bad,
      '{\n  "format": "causeway-profiles",\n  "version": 1,\n  "profiles": [ { "name": "x", } ]\n}\n',
    );
    const r = await cw(['import', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.json:4: /);
    const j = await cw(['import', bad, '--json']);
    assert.equal(j.json[0]?.['line'], 4);
    const openvpn = await cw(['import', join(FIXTURES, 'openvpn.nmconnection')]);
    assert.equal(openvpn.code, 1);
    assert.match(openvpn.stderr, /openvpn\.nmconnection:\d+: .*not the SSTP plugin/);
    assert.equal((await cw(['import', join(dir, 'missing.pbk')])).code, 1);
    assert.equal((await profiles()).length, 0);
  });

  it('an unreachable keychain undoes the import; --skip-secrets imports without the passwords', async () => {
    await cw(['profiles', 'add', 'Existing', '--server', 'h']);
    keychain.unavailable = true;
    const r = await cw(['import', join(FIXTURES, 'sstpc-commands.sh'), '--accept-weak-settings']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--skip-secrets/);
    assert.deepEqual(
      (await profiles()).map((p) => p.name),
      ['Existing'],
    );
    const skip = await cw(['import', join(FIXTURES, 'sstpc-commands.sh'), '--skip-secrets', '--accept-weak-settings']);
    assert.equal(skip.code, 0, skip.stderr);
    assert.equal((await profiles()).length, 5);
  });
});

describe('causeway export', () => {
  it('round-trips through import into another store, without secrets', async () => {
    await cw(['import', join(FIXTURES, 'corp-bom-crlf.nmconnection'), '--accept-weak-settings']);
    await cw(['import', join(FIXTURES, 'causeway-export.json'), '--accept-weak-settings']);
    const out = join(dir, 'export.json');
    const r = await cw(['export', '--all', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const text = await readFile(out, 'utf8');
    assert.ok(keychain.size > 0);
    for (const p of await profiles()) {
      const pw = await keychain.get(p.id, 'password');
      if (pw.ok && pw.value) assert.equal(text.includes(pw.value), false);
    }
    const some = await cw(['export', 'office', 'Corp VPN (Berlin)', 'Office']);
    assert.equal(some.code, 0, some.stderr);
    const doc = JSON.parse(some.stdout) as { format: string; profiles: { name: string }[] };
    assert.equal(doc.format, 'causeway-profiles');
    assert.deepEqual(
      doc.profiles.map((p) => p.name),
      ['Office', 'Corp VPN (Berlin)'],
    );

    const first = services;
    services = openProfileServices(
      { XDG_CONFIG_HOME: join(dir, 'config2'), XDG_STATE_HOME: join(dir, 'state2') },
      { credentials: new MemoryCredentialStore() },
    );
    assert.equal((await cw(['import', out, '--accept-weak-settings'])).code, 0);
    const again = await cw(['export', '--all']);
    assert.equal(again.stdout, text);
    services = first;
  });

  it('usage: names or --all; an unknown name exits 1', async () => {
    assert.equal((await cw(['export'])).code, 2);
    assert.equal((await cw(['export', 'x', '--all'])).code, 2);
    assert.equal((await cw(['export', 'nope'])).code, 1);
  });
});

describe('causeway test NAME and causeway logs NAME', () => {
  it('logs every attempt of `test NAME`; logs shows the newest, --list, --attempt, --level, --json', async () => {
    await cw(
      ['profiles', 'add', 'Dead', '--server', '127.0.0.1:1', '--user', 'u', '--password-stdin'],
      'log-secret-pw',
    );
    const t1 = await cw(['test', 'Dead', '--json']);
    assert.equal(t1.code, 3, t1.stdout);
    assert.equal(t1.json.at(-1)?.['event'], 'result');
    const t2 = await cw(['test', 'Dead']);
    assert.equal(t2.code, 3);

    const list = await cw(['logs', 'Dead', '--list', '--json']);
    assert.equal((list.json[0]?.['attempts'] as unknown[]).length, 2);
    const newest = await cw(['logs', 'Dead']);
    assert.equal(newest.code, 0);
    assert.match(newest.stdout, /^# Dead: attempt 2, started /);
    assert.match(newest.stdout, /INFO {2}\[tcp\] connecting to 127\.0\.0\.1:1/);
    assert.match(newest.stdout, /ERROR \[tcp\] network-unreachable/);
    assert.match(newest.stdout, /test finished: network-unreachable/);
    const first = await cw(['logs', 'Dead', '--attempt', '1', '--json', '--level', 'error']);
    const entries = first.json.filter((e) => e['event'] === 'log');
    assert.ok(entries.length > 0 && entries.every((e) => e['level'] === 'error' && e['attempt'] === 1));
    assert.equal((await cw(['logs', 'Dead', '--attempt', '7'])).code, 1);
    assert.equal((await cw(['logs', 'Dead', '--attempt', 'x'])).code, 2);
    // The shared whole-number check: '1.5', '1e0' and '0x1' were never attempts (Number() took the last two).
    for (const bad of ['0', '-1', '1.5', '1e0', '0x1', '']) {
      const r = await cw(['logs', 'Dead', '--attempt', bad]);
      assert.equal(r.code, 2, bad);
      assert.match(
        r.stderr,
        new RegExp(`--attempt must be a whole number from 1 to 999999999, got '${bad}' \\(see --list\\)`),
      );
    }
    assert.equal((await cw(['logs', 'Nope'])).code, 1);
    for (const f of await filesUnder(join(dir, 'state')))
      assert.equal((await readFile(f, 'utf8')).includes('log-secret-pw'), false, f);
  });

  it('an untrusted certificate: shows it and the command that pins it; after pinning it is trusted', async () => {
    const leaf = issue({ cn: 'sstp.test', ips: ['127.0.0.1'] });
    const server: Server = createServer({ key: forge.pki.privateKeyToPem(leaf.key), cert: leaf.pem }, (s) =>
      s.destroy(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => server.close());
    const port = (server.address() as { port: number }).port;
    await cw(['profiles', 'add', 'Lab Box', '--server', `127.0.0.1:${port}`, '--user', 'u', '--password-stdin'], 'pw');

    const text = await cw(['test', 'Lab Box']);
    assert.equal(text.code, 4, text.stdout + text.stderr);
    assert.match(text.stdout, /not trusted/);
    assert.match(text.stdout, /subject\s+.*CN=sstp\.test/);
    assert.match(text.stdout, /names\s+IP:127\.0\.0\.1/);
    const command = /causeway profiles edit 'Lab Box' --pin (sha256:[0-9a-f]{64})/.exec(text.stdout);
    assert.ok(command, text.stdout);
    assert.equal(
      command[1],
      `sha256:${(await import('node:crypto')).createHash('sha256').update(leaf.der).digest('hex')}`,
    );

    const json = await cw(['test', 'Lab Box', '--json']);
    assert.equal(json.json.at(-1)?.['event'], 'result');
    const hint = json.json.find((e) => e['event'] === 'trust-hint');
    assert.equal(hint?.['pin'], command[1]);

    assert.equal((await cw(['profiles', 'edit', 'Lab Box', '--pin', command[1] ?? ''])).code, 0);
    const pinned = await cw(['test', 'Lab Box', '--json']);
    const failure = (pinned.json.at(-1)?.['failure'] ?? {}) as { code?: string; phase?: string };
    assert.notEqual(pinned.code, 4, pinned.stdout);
    assert.notEqual(failure.phase, 'tls', JSON.stringify(failure));
  });

  it('logs --follow prints the newest attempt as it grows and moves on to the next', async () => {
    await cw(['profiles', 'add', 'F', '--server', 'h']);
    const id = (await profile('F')).id;
    const seen: string[] = [];
    const ac = new AbortController();
    const entry = (message: string): LogEntry => ({ time: Date.now(), level: 'debug', phase: 'lcp', message });
    const following = followLogs(
      services.logs,
      id,
      { signal: ac.signal, pollMs: 10 },
      {
        attempt: (a) => seen.push(`attempt ${a.attempt}`),
        entry: (e) => seen.push(e.message),
      },
    );
    const waitFor = async (what: string) => {
      for (let i = 0; i < 300 && !seen.includes(what); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(seen.includes(what), `${what} not seen: ${JSON.stringify(seen)}`);
    };
    const a1 = services.logs.start(id);
    assert.ok(a1.ok);
    a1.value.sink(entry('send [LCP ConfReq id=0x1 <mru 1500>]'));
    await waitFor('send [LCP ConfReq id=0x1 <mru 1500>]');
    a1.value.sink(entry('rcvd [LCP ConfAck id=0x1 <mru 1500>]'));
    a1.value.close();
    const a2 = services.logs.start(id);
    assert.ok(a2.ok);
    a2.value.sink(entry('second attempt'));
    await waitFor('second attempt');
    a2.value.close();
    ac.abort();
    assert.equal(await following, undefined);
    assert.deepEqual(seen, [
      'attempt 1',
      'send [LCP ConfReq id=0x1 <mru 1500>]',
      'rcvd [LCP ConfAck id=0x1 <mru 1500>]',
      'attempt 2',
      'second attempt',
    ]);
  });
});
