// `sudo causeway …` run by a real second user with a real session bus and gnome-keyring: the CLI acts
// for that user (their profiles, logs, keychain, tunnel registry), and what it writes is theirs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CAUSEWAY_BIN } from '../../support/run-cli.js';
import { startUserSession, userSessionToolsPresent, type UserSession } from './helpers/user-session.js';

const skip =
  process.getuid?.() !== 0
    ? 'needs root (creates a user)'
    : userSessionToolsPresent()
      ? false
      : 'useradd / runuser / dbus-daemon / gnome-keyring-daemon / sudo not installed';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnRun(cmd: string, args: string[], stdin: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} hung\n${stdout}\n${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

describe('sudo causeway, for the user who typed it', { skip }, () => {
  let u: UserSession;
  /** As the user, in their session. */
  const asUser = (args: string[], stdin = '') =>
    spawnRun(
      'runuser',
      [
        '-u',
        u.name,
        '--',
        'env',
        ...Object.entries(u.env).map(([k, v]) => `${k}=${v ?? ''}`),
        process.execPath,
        CAUSEWAY_BIN,
        ...args,
      ],
      stdin,
      process.env,
    );
  /** The user typing `sudo causeway …` in their session (sudo resets the environment itself). */
  const viaSudo = (args: string[], stdin = '') =>
    spawnRun(
      'runuser',
      [
        '-u',
        u.name,
        '--',
        'env',
        ...Object.entries(u.env).map(([k, v]) => `${k}=${v ?? ''}`),
        'sudo',
        '-n',
        process.execPath,
        CAUSEWAY_BIN,
        ...args,
      ],
      stdin,
      process.env,
    );

  before(async () => {
    u = await startUserSession('cw-sudo-it');
  });
  after(async () => {
    await u?.stop();
  });

  const ownedByUser = (path: string) => {
    const st = statSync(path);
    assert.equal(st.uid, u.uid, `${path} belongs to uid ${st.uid}`);
  };

  it('the user saves a profile and its password in their own keychain', async () => {
    const add = await asUser(
      ['profiles', 'add', 'Lab', '--server', '127.0.0.1:9', '--user', 'alice', '--insecure', '--password-stdin'],
      'lab-secret-pw',
    );
    assert.equal(add.code, 0, add.stdout + add.stderr);
    const show = await asUser(['profiles', 'show', 'Lab', '--json']);
    assert.equal(JSON.parse(show.stdout).passwordSaved, true, show.stdout + show.stderr);
  });

  it("sudo causeway profiles …: the same profiles; what it writes (profiles, keychain) is the user's", async () => {
    const list = await viaSudo(['profiles', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { profiles: { name: string }[] }).profiles.map((p) => p.name),
      ['Lab'],
    );
    const add = await viaSudo(
      ['profiles', 'add', 'Other', '--server', '127.0.0.1:9', '--user', 'bob', '--password-stdin'],
      'other-secret-pw',
    );
    assert.equal(add.code, 0, add.stdout + add.stderr);
    const configDir = join(u.home, '.config', 'causeway');
    ownedByUser(configDir);
    ownedByUser(join(configDir, 'profiles.json'));
    const show = await asUser(['profiles', 'show', 'Other', '--json']);
    assert.equal(JSON.parse(show.stdout).passwordSaved, true, "saved in the user's keychain, not root's");
  });

  it("sudo causeway connect NAME reads the user's profile and keychain; its log is the user's", async () => {
    // Port 9 refuses: getting as far as the network (exit 3) proves the profile and password were found
    // (no password would be exit 2, no keychain exit 1).
    const r = await viaSudo(['connect', 'Lab', '--json']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes('lab-secret-pw'));
    const logsDir = join(u.home, '.local', 'state', 'causeway', 'logs');
    ownedByUser(logsDir);
    const [profileDir] = readdirSync(logsDir);
    assert.ok(profileDir);
    ownedByUser(join(logsDir, profileDir));
    for (const f of readdirSync(join(logsDir, profileDir))) ownedByUser(join(logsDir, profileDir, f));
    const logs = await asUser(['logs', 'Lab']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.ok(!logs.stdout.includes('lab-secret-pw'));
    // The tunnel registered (and unregistered) in the user's runtime directory, which stays theirs.
    ownedByUser(`/run/user/${u.uid}/causeway`);
    assert.deepEqual(readdirSync(`/run/user/${u.uid}/causeway`), []);
  });

  it("sudo causeway status sees the user's registry", async () => {
    const r = await viaSudo(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { event: 'status', tunnels: [] });
  });

  it('with no session bus, sudo causeway connect says the keychain cannot be used (exit 1); --password-stdin still works', async () => {
    await u.stopSession();
    const r = await viaSudo(['connect', 'Lab']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /keychain cannot be used/);
    assert.match(r.stderr, /--password-stdin/);
    const withPw = await viaSudo(['connect', 'Lab', '--password-stdin', '--json'], 'lab-secret-pw');
    assert.equal(withPw.code, 3, withPw.stdout + withPw.stderr);
  });

  it('root with a SUDO_UID that names nobody refuses, saying how to run it', async () => {
    const r = await spawnRun(process.execPath, [CAUSEWAY_BIN, 'profiles', 'list'], '', {
      PATH: process.env['PATH'],
      HOME: '/root',
      SUDO_UID: '4242',
      SUDO_USER: 'ghost',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Running under sudo, but uid 4242 is not in \/etc\/passwd/);
    assert.match(r.stderr, /as yourself .*polkit.*--password-stdin/);
  });
});
