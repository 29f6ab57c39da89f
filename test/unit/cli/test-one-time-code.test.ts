// `causeway test` / `doctor` with one-time codes: the code is the line after the password and proxy
// password lines (connect's order), joined as the profile says, and a secret of the run; a refused
// sign-in with a code says a code works once.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { withFirstCode, type OtpFlags } from '../../../main/cli/one-time-code.js';
import { openProfileServices, type ProfileServices } from '../../../main/cli/profiles/services.js';
import { resolveConnectTarget, type TargetOptions } from '../../../main/cli/profiles/target.js';
import { failure } from '../../../main/engine/failure.js';
import { MemoryCredentialStore } from '../../../main/services/credentials/memory-store.js';
import { ONE_TIME_CODE_REFUSED, withOneTimeCodeHint } from '../../../main/services/doctor/one-time-code.js';
import { createRedactor } from '../../../main/services/logs/redact.js';

describe('test/doctor one-time code', () => {
  let dir: string;
  let services: ProfileServices;
  let plainId: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-test-otp-'));
    const keychain = new MemoryCredentialStore();
    services = openProfileServices(
      { XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') },
      { credentials: keychain },
    );
    const a = await services.store.add({
      name: 'Otp',
      server: { host: 'vpn.example.com' },
      username: 'alice',
      proxy: { host: '127.0.0.1', port: 3128, username: 'px' },
      otp: { mode: 'append' },
    });
    const b = await services.store.add({ name: 'Plain', server: { host: 'vpn.example.com' }, username: 'bob' });
    assert.ok(a.ok && b.ok);
    plainId = b.value.id;
    await keychain.set(plainId, 'password', 'saved-pw');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const run = async (name: string, o: TargetOptions & OtpFlags, stdinText: string) => {
    const stdin = Readable.from([stdinText]);
    const r = await resolveConnectTarget(name, o, { stdin, env: {}, services });
    assert.ok(r.ok && r.target.kind === 'profile', JSON.stringify(r));
    const announced: number[] = [];
    const coded = await withFirstCode(
      { config: r.target.config, secrets: r.target.secrets, oneTimeCode: false },
      o,
      r.target.profile,
      {
        stdin,
        announce: (attempt) => announced.push(attempt),
        terminal: () => assert.fail('nothing is said on a terminal for piped input'),
      },
    );
    return { coded, announced };
  };

  it('reads password, proxy password, then the code, and sends password+code; the code is a secret of the run', async () => {
    const { coded, announced } = await run(
      'Otp',
      { passwordStdin: true, proxyPasswordStdin: true, otpStdin: true },
      'pw-static\nproxy-secret\n482913\n',
    );
    assert.ok(coded.ok, JSON.stringify(coded));
    assert.deepEqual(announced, [1]);
    assert.equal(coded.value.config.credentials.password, 'pw-static482913');
    assert.equal(coded.value.config.proxy?.password, 'proxy-secret');
    assert.equal(coded.value.oneTimeCode, true);
    const redact = createRedactor(coded.value.secrets);
    const scrubbed = redact('sent pw-static482913; code 482913; proxy proxy-secret');
    for (const s of ['482913', 'pw-static', 'proxy-secret']) assert.ok(!scrubbed.includes(s), scrubbed);
  });

  it('--otp replace for one run sends the code alone, over a profile without otp', async () => {
    const { coded } = await run('Plain', { otp: 'replace', otpStdin: true }, '771100\n');
    assert.ok(coded.ok, JSON.stringify(coded));
    assert.equal(coded.value.config.credentials.password, '771100');
  });

  it('leaves a profile without otp as it was, reading nothing', async () => {
    const { coded, announced } = await run('Plain', {}, 'not-read\n');
    assert.ok(coded.ok);
    assert.equal(coded.value.oneTimeCode, false);
    assert.equal(coded.value.config.credentials.password, 'saved-pw');
    assert.deepEqual(announced, []);
  });

  it('says what to do when standard input ends before the code, and refuses a bad --otp mode', async () => {
    const ended = await run('Otp', { passwordStdin: true, proxyPasswordStdin: true, otpStdin: true }, 'pw\nproxy\n');
    assert.equal(ended.coded.ok, false);
    assert.match(ended.coded.ok ? '' : ended.coded.error, /No usable one-time code.*standard input ended/);
    const bad = await run('Plain', { otp: 'prefix' }, '');
    assert.match(bad.coded.ok ? '' : bad.coded.error, /--otp must be append .* or replace/);
  });
});

describe('withOneTimeCodeHint', () => {
  it('adds that a code works once to a refused sign-in only', () => {
    const refused = withOneTimeCodeHint(
      failure('auth', 'auth-failed', 'The server rejected the user name or password.'),
    );
    assert.equal(refused.message, `The server rejected the user name or password. ${ONE_TIME_CODE_REFUSED}`);
    assert.match(refused.message, /Run again with a fresh code/);
    const tls = failure('tls', 'certificate-untrusted', 'Untrusted.');
    assert.equal(withOneTimeCodeHint(tls), tls);
  });
});
