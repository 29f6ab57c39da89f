// `causeway test NAME --otp-stdin` and `causeway doctor` for a profile with one-time codes, against the
// strict peer taking password+code with each code once (OneTimeCodes): a fresh code passes, the same
// code again is refused by the server and the failure says a code works once; an ad-hoc --otp replace
// run works too. The code never shows in the output or the attempt's log.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { integrationSkip } from '../../harness/softether.js';
import { OneTimeCodes } from '../../peers/one-time-codes.js';
import { startStrictPeer, type StrictPeer } from '../../peers/strict-sstp-server.js';
import { runCli, type CliRun } from '../../support/run-cli.js';
import { keyringToolsPresent, startPrivateKeyring, type PrivateKeyring } from '../services/helpers/private-keyring.js';

const skip = integrationSkip() || (keyringToolsPresent() ? false : 'gnome-keyring / secret-tool not installed');
const show = (r: CliRun) => `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

describe('causeway test/doctor with one-time codes (strict peer)', { skip }, () => {
  let keyring: PrivateKeyring;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let peer: StrictPeer | undefined;
  const cw = (args: string[], stdin?: string) => runCli(args, stdin, { env, timeoutMs: 60_000 });

  before(async () => {
    keyring = await startPrivateKeyring({ unlock: true });
    dir = await mkdtemp(join(tmpdir(), 'cw-cli-test-otp-'));
    env = { ...keyring.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
  });
  after(async () => {
    await peer?.stop();
    await keyring?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a fresh code passes; the same code again is refused with a message saying a code works once', async () => {
    const codes = new OneTimeCodes(['482913', '550177'], 'append');
    peer = await startStrictPeer({ auth: { methods: ['mschapv2'], oneTimeCodes: codes } });
    const add = await cw(
      [
        'profiles',
        'add',
        'Otp',
        '--server',
        `${peer.host}:${peer.port}`,
        '--user',
        'testuser',
        '--auth',
        'mschapv2',
        '--pin',
        `sha256:${peer.certSha256}`,
        '--otp',
        'append',
        '--password-stdin',
      ],
      'testpass',
    );
    assert.equal(add.code, 0, show(add));

    // Password from the keychain, the code the first line of standard input.
    const fresh = await cw(['test', 'Otp', '--otp-stdin', '--json'], '482913\n');
    assert.equal(fresh.code, 0, show(fresh));
    assert.ok(
      fresh.events.some((e) => e['event'] === 'otp-needed' && e['attempt'] === 1),
      show(fresh),
    );
    assert.equal(fresh.result?.['ok'], true, show(fresh));

    const reused = await cw(['test', 'Otp', '--otp-stdin', '--json'], '482913\n');
    assert.notEqual(reused.code, 0, show(reused));
    const failure = reused.result?.['failure'] as { code: string; message: string } | undefined;
    assert.equal(failure?.code, 'auth-failed', show(reused));
    assert.match(failure.message, /one-time code.*takes each code once.*Run again with a fresh code/, show(reused));

    // The doctor, password and code both on standard input (connect's order), with the next code.
    const doctor = await cw(
      ['doctor', 'Otp', '--password-stdin', '--otp-stdin', '--no-mtu', '--json'],
      'testpass\n550177\n',
    );
    assert.equal(doctor.code, 0, show(doctor));
    const report = doctor.events.find((e) => e['event'] === 'doctor');
    assert.equal(report?.['ok'], true, show(doctor));

    assert.deepEqual(codes.accepted, ['482913', '550177'], peer.transcript());
    assert.deepEqual(codes.replayed, ['482913'], peer.transcript());
    assert.deepEqual(
      peer.all('auth-result').map((r) => r.ok),
      [true, false, true],
      peer.transcript(),
    );
    const logs = await readdir(join(dir, 'state'), { recursive: true });
    const logText = (
      await Promise.all(logs.filter((f) => f.endsWith('.jsonl')).map((f) => readFile(join(dir, 'state', f), 'utf8')))
    ).join('\n');
    assert.ok(logText.length > 0, `attempt logs under ${dir}/state: ${logs.join(', ')}`);
    for (const r of [fresh, reused, doctor])
      for (const code of ['482913', '550177'])
        assert.ok(!(r.stdout + r.stderr).includes(code), `code ${code} in the output: ${show(r)}`);
    for (const secret of ['482913', '550177', 'testpass'])
      assert.ok(!logText.includes(secret), `${secret} in an attempt log`);
    assert.deepEqual(peer.violations, []);
    await peer.stop();
    peer = undefined;
  });

  it('an ad-hoc run: --otp replace sends the code alone', async () => {
    const codes = new OneTimeCodes(['918273'], 'replace');
    peer = await startStrictPeer({ auth: { methods: ['mschapv2'], oneTimeCodes: codes } });
    const r = await cw(
      [
        'test',
        `${peer.host}:${peer.port}`,
        '--user',
        'testuser',
        '--password-stdin',
        '--otp',
        'replace',
        '--otp-stdin',
        '--pin',
        `sha256:${peer.certSha256}`,
        '--json',
      ],
      'testpass\n918273\n',
    );
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(codes.accepted, ['918273'], peer.transcript());
  });
});
