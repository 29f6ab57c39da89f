// The profile verbs end to end, run as a user would (the built CLI in a child process), against a real
// Secret Service (gnome-keyring on a private session bus) and the real SoftEther server:
// import a .nmconnection → pin the server certificate → `causeway test NAME` with the password from the
// keychain → `causeway logs NAME` shows the PPP negotiation → no password in any file → remove deletes
// the keychain entry. Then every other import format through the CLI, each tested against the server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { CAUSEWAY_BIN, runCli, type CliRun } from '../../support/run-cli.js';
import { keyringToolsPresent, startPrivateKeyring, type PrivateKeyring } from '../services/helpers/private-keyring.js';
import { KeyringCredentialStore } from '../../../main/services/credentials/keyring-store.js';

const FIXTURES = new URL('../../fixtures/import/', import.meta.url).pathname;
const PASSWORD = 'testpass';
const skip =
  integrationSkip() || (keyringToolsPresent() ? false : 'dbus-daemon / gnome-keyring-daemon / dbus-send not installed');

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function ok(run: CliRun, what: string): void {
  assert.equal(run.code, 0, `${what}: exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

describe('causeway profiles, import, test NAME, logs against SoftEther and a real keychain', { skip }, () => {
  let server: SoftEtherServer;
  let keyring: PrivateKeyring;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pin: string;
  const cw = (args: string[], stdin?: string) => runCli(args, stdin, { env });

  before(async () => {
    keyring = await startPrivateKeyring({ unlock: true });
    // For the in-process checks of the keychain below; the binding reads it when it first connects.
    process.env['DBUS_SESSION_BUS_ADDRESS'] = keyring.busAddress;
    dir = await mkdtemp(join(tmpdir(), 'cw-cli-profiles-'));
    env = { ...keyring.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
    // The default name: the fixture was written for its address, 10.200.0.1.
    server = await startSoftEther({});
    assert.equal(server.host, '10.200.0.1', 'softether-test.nmconnection points at the default harness server');
    pin = `sha256:${server.certDerSha256}`;
  });
  after(async () => {
    await server?.stop();
    await keyring?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let profileId = '';

  it('imports the .nmconnection fixture: the password goes to the keychain', async () => {
    const run = await cw(['import', join(FIXTURES, 'softether-test.nmconnection'), '--json']);
    ok(run, 'import');
    const saved = run.result?.['saved'] as { id: string; name: string }[];
    assert.deepEqual(
      saved.map((s) => s.name),
      ['softether-test'],
    );
    profileId = saved[0]?.id ?? '';
    const show = await cw(['profiles', 'show', 'softether-test', '--json']);
    ok(show, 'show');
    assert.equal(show.result?.['passwordSaved'], true);
    assert.deepEqual(await new KeyringCredentialStore().get(profileId, 'password'), { ok: true, value: PASSWORD });
  });

  it('an unpinned self-signed server: exit 4, the certificate and the command that pins it', async () => {
    const text = await cw(['test', 'softether-test']);
    assert.equal(text.code, 4, text.stdout + text.stderr);
    assert.match(text.stdout, /subject\s+.*sstp\.example\.test/);
    assert.ok(text.stdout.includes(`causeway profiles edit softether-test --pin ${pin}`), text.stdout);
    const json = await cw(['test', 'softether-test', '--json']);
    assert.equal(json.events.find((e) => e['event'] === 'trust-hint')?.['pin'], pin);
  });

  it('after `profiles edit --pin`, `causeway test NAME` succeeds with the password from the keychain', async () => {
    ok(await cw(['profiles', 'edit', 'softether-test', '--pin', pin]), 'edit --pin');
    const run = await cw(['test', 'softether-test', '--json']);
    ok(run, 'test softether-test');
    assert.equal(run.result?.['ok'], true);
    assert.equal(run.result?.['authMethod'], 'mschapv2');
    assert.match((run.result?.['ipv4'] as { address: string }).address, /^192\.168\.30\.\d+$/);
    assert.equal((run.result?.['echo'] as { ok: boolean }).ok, true);
    assert.equal(run.stdout.includes(PASSWORD) || run.stderr.includes(PASSWORD), false);
  });

  it('`causeway logs NAME` shows the LCP negotiation of that attempt', async () => {
    const run = await cw(['logs', 'softether-test']);
    ok(run, 'logs');
    assert.match(run.stdout, /DEBUG \[lcp\] send \[LCP ConfReq id=0x[0-9a-f]+ .*<mru \d+>/);
    assert.match(run.stdout, /DEBUG \[lcp\] rcvd \[LCP Conf(Ack|Req)/);
    assert.match(run.stdout, /test finished: ok/);
    const json = await cw(['logs', 'softether-test', '--json', '--level', 'debug']);
    assert.ok(
      json.events.some(
        (e) => e['event'] === 'log' && e['level'] === 'debug' && String(e['message']).startsWith('send [LCP ConfReq'),
      ),
    );
  });

  it('`causeway logs NAME --follow` prints a new attempt while it runs', async () => {
    const follower = spawn(process.execPath, [CAUSEWAY_BIN, 'logs', 'softether-test', '--follow'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => follower.on('close', (code) => resolve(code)));
    try {
      await waitUntil(
        () => /attempt \d+, started/.test(out),
        10_000,
        () => out,
      );
      const headers = () => (out.match(/^# softether-test: attempt/gm) ?? []).length;
      const newest = () => out.slice(out.lastIndexOf('# softether-test: attempt'));
      const seen = headers();
      ok(await cw(['test', 'softether-test']), 'second test');
      await waitUntil(
        () => headers() > seen && newest().includes('test finished: ok'),
        10_000,
        () => out,
      );
      assert.match(newest(), /send \[LCP ConfReq/);
    } finally {
      follower.kill('SIGINT');
    }
    assert.equal(await exited, 0);
  });

  it('no password in the profile file, the log files or the export', async () => {
    const exported = join(dir, 'export.json');
    ok(await cw(['export', 'softether-test', '-o', exported]), 'export');
    const stdoutExport = await cw(['export', '--all']);
    ok(stdoutExport, 'export --all');
    assert.equal(stdoutExport.stdout.includes(PASSWORD), false);
    const files = [...(await filesUnder(dir)), ...(await filesUnder(keyring.home))];
    assert.ok(files.some((f) => f.endsWith('profiles.json')));
    assert.ok(files.some((f) => f.endsWith('.jsonl')));
    for (const f of files) {
      const bytes = await readFile(f).catch(() => Buffer.alloc(0));
      assert.equal(bytes.includes(Buffer.from(PASSWORD)), false, `"${PASSWORD}" found in ${f}`);
    }
  });

  it('`profiles remove` deletes the keychain entry and the logs', async () => {
    ok(await cw(['profiles', 'remove', 'softether-test']), 'remove');
    assert.deepEqual(await new KeyringCredentialStore().get(profileId, 'password'), { ok: true, value: undefined });
    assert.deepEqual(await filesUnder(join(dir, 'state', 'causeway', 'logs', profileId)), []);
    assert.equal((await cw(['test', 'softether-test'])).code, 2);
  });

  // Each format through the CLI into profiles, then a real test of the entry that points at the server.
  // The committed fixtures cover the formats' breadth; the small files written here point at this server.
  const formats: { file: string; text: () => string; name: string; count: number; hasPassword: boolean }[] = [
    {
      file: 'softether.pbk',
      name: 'PBK SoftEther',
      count: 1,
      hasPassword: false,
      text: () =>
        [
          '[PBK SoftEther]',
          'Type=2',
          'VpnStrategy=5',
          `PhoneNumber=${server.host}`,
          'AuthRestrictions=512',
          'User=testuser',
          '',
        ].join('\r\n'),
    },
    {
      file: 'softether.rsc',
      name: 'mt-softether',
      count: 1,
      hasPassword: true,
      text: () =>
        `/interface sstp-client add name=mt-softether connect-to=${server.host} user=testuser password=${PASSWORD} authentication=mschap2\n`,
    },
    {
      file: 'sstpc-commands.sh',
      name: 'sstp.example.test',
      count: 4,
      hasPassword: true,
      text: () => '',
    },
    {
      file: 'causeway.json',
      name: 'cw-softether',
      count: 1,
      hasPassword: false,
      text: () =>
        JSON.stringify({
          format: 'causeway-profiles',
          version: 1,
          profiles: [
            {
              name: 'cw-softether',
              server: { host: server.host, port: 443 },
              username: 'testuser',
              authMethods: ['mschapv2', 'pap'],
            },
          ],
        }),
    },
  ];
  for (const f of formats) {
    it(`import ${f.file} through the CLI, then \`causeway test ${f.name}\``, async () => {
      let path = join(FIXTURES, f.file);
      if (f.text() !== '') {
        path = join(dir, f.file);
        await writeFile(path, f.text());
      }
      const imported = await cw(['import', path, '--json', '--accept-weak-settings']);
      ok(imported, `import ${f.file}`);
      assert.equal((imported.result?.['saved'] as unknown[]).length, f.count);
      const edit = ['profiles', 'edit', f.name, '--pin', pin];
      ok(f.hasPassword ? await cw(edit) : await cw([...edit, '--password-stdin'], PASSWORD), `edit ${f.name}`);
      const run = await cw(['test', f.name, '--json']);
      ok(run, `test ${f.name}`);
      assert.equal(run.result?.['ok'], true);
    });
  }

  it('the committed fixtures of every format import through the CLI', async () => {
    for (const [file, count] of [
      ['rasphone-ansi.pbk', 2],
      ['rasphone-utf16le.pbk', 3],
      ['mikrotik-export.rsc', 3],
      ['causeway-export.json', 2],
      ['corp-bom-crlf.nmconnection', 1],
    ] as const) {
      const run = await cw(['import', join(FIXTURES, file), '--rename', '--json', '--accept-weak-settings']);
      ok(run, `import ${file}`);
      assert.equal((run.result?.['saved'] as unknown[]).length, count, file);
    }
  });

  it('a malformed file: non-zero exit naming file:line, nothing saved', async () => {
    const before = await cw(['profiles', 'list', '--json']);
    const bad = join(dir, 'bad.nmconnection');
    await writeFile(
      bad,
      '[connection]\nid=x\ntype=vpn\n\n[vpn]\nservice-type=org.freedesktop.NetworkManager.sstp\ngateway=not a host!\n',
    );
    const run = await cw(['import', bad]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /bad\.nmconnection:\d+: /);
    const badJson = join(dir, 'bad.json');
    await writeFile(
      badJson,
      '{\n  "format": "causeway-profiles",\n  "version": 1,\n  "profiles": [\n    { "name": "x", }\n  ]\n}\n',
    );
    const j = await cw(['import', badJson]);
    assert.equal(j.code, 1);
    assert.match(j.stderr, /bad\.json:5: /);
    const afterList = await cw(['profiles', 'list', '--json']);
    assert.deepEqual(afterList.result, before.result);
  });
});

async function waitUntil(check: () => boolean, ms: number, show: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${show()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
