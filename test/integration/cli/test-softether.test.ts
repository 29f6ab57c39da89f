// `causeway test` against the real SoftEther SSTP server (Debian's, patched copy) in a network namespace.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTinyproxy, type Tinyproxy } from '../../harness/proxy.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { runCli, type CliRun } from '../../support/run-cli.js';

const skip = integrationSkip();

function assertOk(run: CliRun): Record<string, unknown> {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  const r = run.result;
  assert.ok(r && r['event'] === 'result' && r['ok'] === true, run.stdout);
  return r;
}

describe('causeway test against SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let proxy: Tinyproxy;
  let authProxy: Tinyproxy;
  const password = 'testpass';

  before(async () => {
    server = await startSoftEther({ name: 'cw-cli' });
    proxy = await startTinyproxy();
    authProxy = await startTinyproxy({ basicAuth: { user: 'proxyuser', password: 'proxy-pass.1' } });
  });
  after(async () => {
    await authProxy?.stop();
    await proxy?.stop();
    await server?.stop();
  });

  const base = () => [server.host, '--user', 'testuser', '--password-stdin', '--json'];

  for (const auth of ['pap', 'mschapv2']) {
    it(`connects with ${auth}, gets an address, pings the server through the tunnel`, async () => {
      const run = await runCli(['test', ...base(), '--insecure', '--auth', auth], password);
      const r = assertOk(run);
      const ipv4 = r['ipv4'] as { address: string; peer: string; dns: string[] };
      assert.match(ipv4.address, /^192\.168\.30\.\d+$/);
      assert.equal(ipv4.peer, '192.168.30.1');
      assert.deepEqual(ipv4.dns, ['192.168.30.1']);
      assert.equal(r['authMethod'], auth);
      assert.equal((r['echo'] as { ok: boolean }).ok, true);
      const phases = r['phases'] as Record<string, number>;
      for (const p of ['tcp', 'tls', 'http', 'sstp', 'lcp', 'auth', 'ipcp'])
        assert.equal(typeof phases[p], 'number', `phase ${p} timed`);
      assert.ok(!run.stdout.includes(password) && !run.stderr.includes(password), 'password never printed');
    });
  }

  it('a wrong password fails with exit code 5 and says what to do', async () => {
    const run = await runCli(['test', ...base(), '--insecure', '--auth', 'mschapv2'], 'wrongpass');
    assert.equal(run.code, 5, run.stdout + run.stderr);
    const f = run.result?.['failure'] as { code: string; phase: string; message: string };
    assert.equal(f.code, 'auth-failed');
    assert.equal(f.phase, 'auth');
    assert.match(f.message, /password/i);
  });

  it('a wrong PAP password also fails with exit code 5', async () => {
    const run = await runCli(['test', ...base(), '--insecure', '--auth', 'pap'], 'wrongpass');
    assert.equal(run.code, 5, run.stdout + run.stderr);
    assert.equal((run.result?.['failure'] as { code: string }).code, 'auth-failed');
  });

  it('an untrusted certificate fails with exit code 4 and shows its fingerprint', async () => {
    const run = await runCli(['test', ...base()], password);
    assert.equal(run.code, 4, run.stdout + run.stderr);
    const f = run.result?.['failure'] as { code: string; certificate: { sha256: string; subject: string } };
    assert.equal(f.code, 'certificate-untrusted');
    assert.equal(f.certificate.sha256.replace(/:/g, '').toLowerCase(), server.certDerSha256);
    assert.match(f.certificate.subject, /sstp\.example\.test/);
  });

  it('the pinned certificate is trusted (exit 0); a wrong pin is refused (exit 4)', async () => {
    assertOk(await runCli(['test', ...base(), '--pin', `sha256:${server.certDerSha256}`], password));
    const wrong = await runCli(['test', ...base(), '--pin', `sha256:${'ab'.repeat(32)}`], password);
    assert.equal(wrong.code, 4, wrong.stdout);
    assert.equal((wrong.result?.['failure'] as { code: string }).code, 'certificate-pin-mismatch');
  });

  it('a CA file given with --ca makes the server trusted', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cw-ca-'));
    writeFileSync(join(dir, 'ca.pem'), server.certPem);
    assertOk(await runCli(['test', ...base(), '--ca', join(dir, 'ca.pem')], password));
  });

  it('goes through tinyproxy', async () => {
    const r = assertOk(await runCli(['test', ...base(), '--insecure', '--proxy', proxy.url], password));
    assert.equal(typeof (r['phases'] as Record<string, number>)['proxy'], 'number');
    assert.match(proxy.log(), /CONNECT/);
  });

  it('goes through tinyproxy with Basic auth (proxy password on stdin), and a wrong proxy password exits 7', async () => {
    // The proxy password is the line after the password: never in argv, where /proc/PID/cmdline shows it to everyone.
    const url = `http://proxyuser@${authProxy.host}:${authProxy.port}`;
    const run = await runCli(
      ['test', ...base(), '--insecure', '--proxy', url, '--proxy-password-stdin'],
      `${password}\nproxy-pass.1\n`,
    );
    assertOk(run);
    assert.ok(!run.stdout.includes('proxy-pass') && !run.stderr.includes('proxy-pass'), 'proxy password never printed');
    const bad = await runCli(
      ['test', ...base(), '--insecure', '--proxy', url, '--proxy-password-stdin'],
      `${password}\nnope\n`,
    );
    assert.equal(bad.code, 7, bad.stdout + bad.stderr);
    assert.equal((bad.result?.['failure'] as { code: string }).code, 'proxy-auth-failed');
  });

  it('a password in the --proxy URL is refused before anything is dialled (exit 2), saying what to use instead', async () => {
    const logBefore = authProxy.log().length;
    const run = await runCli(
      [
        'test',
        ...base(),
        '--insecure',
        '--proxy',
        `http://proxyuser:${encodeURIComponent('proxy-pass.1')}@${authProxy.host}:${authProxy.port}`,
      ],
      password,
    );
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(
      run.stdout + run.stderr,
      /the proxy password must not be in the --proxy URL: .*\/proc\/PID\/cmdline.*--proxy-password-stdin/,
    );
    assert.ok(!(run.stdout + run.stderr).includes('proxy-pass.1'), 'the refused password is not echoed back');
    assert.doesNotMatch(authProxy.log().slice(logBefore), /CONNECT/, 'nothing reached the proxy');
    const missing = await runCli(
      [
        'test',
        ...base(),
        '--insecure',
        '--proxy',
        `http://proxyuser@${authProxy.host}:${authProxy.port}`,
        '--proxy-password-stdin',
      ],
      `${password}\n`,
    );
    assert.equal(missing.code, 2, missing.stdout + missing.stderr);
    assert.match(missing.stdout + missing.stderr, /standard input ended before the proxy password line/);
  });

  it('an unreachable server exits 3; usage errors exit 2', async () => {
    const run = await runCli(['test', '127.0.0.1:1', '--user', 'u', '--password-stdin', '--json'], 'x');
    assert.equal(run.code, 3, run.stdout);
    assert.equal((run.result?.['failure'] as { code: string }).code, 'network-unreachable');
    assert.equal((await runCli(['test', server.host, '--password-stdin'], 'x')).code, 2);
    assert.equal(
      (await runCli(['test', server.host, '--user', 'u', '--password-stdin', '--auth', 'telnet'], 'x')).code,
      2,
    );
  });
});
