// `causeway test` through squid (Debian's, a private instance) to the real SoftEther server: Digest
// (digest_file_auth) and Basic (basic_ncsa_auth) sign-in, a wrong proxy password's typed 407, and
// https_proxy / no_proxy from the environment.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { startSquid, type Squid } from '../../harness/squid.js';
import { runCli, type CliRun } from '../../support/run-cli.js';

const skip = integrationSkip();
const PASSWORD = 'testpass';
const PROXY_USER = 'puser';
const PROXY_PASSWORD = 'squid-Pass.7';

function assertOk(run: CliRun): Record<string, unknown> {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  const r = run.result;
  assert.ok(r && r['event'] === 'result' && r['ok'] === true, run.stdout);
  return r;
}

/** Signed-in CONNECTs in squid's access log (its 407 answers are logged too, without the user). */
function connects(log: string): number {
  return log.split('\n').filter((l) => new RegExp(` CONNECT \\S+ ${PROXY_USER} `).test(l)).length;
}

describe('causeway test through squid (Digest and Basic) to SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let digest: Squid;
  let basic: Squid;

  before(async () => {
    server = await startSoftEther({ name: 'cw-squid' });
    [digest, basic] = await Promise.all([
      startSquid({ auth: 'digest', user: PROXY_USER, password: PROXY_PASSWORD }),
      startSquid({ auth: 'basic', user: PROXY_USER, password: PROXY_PASSWORD }),
    ]);
  });
  after(async () => {
    await digest?.stop();
    await basic?.stop();
    await server?.stop();
  });

  const base = () => [server.host, '--user', 'testuser', '--password-stdin', '--json', '--insecure', '--no-env-proxy'];
  const via = (p: Squid) => ['--proxy', `http://${PROXY_USER}@${p.host}:${p.port}`, '--proxy-password-stdin'];

  for (const [name, proxy] of [
    ['Digest', () => digest],
    ['Basic', () => basic],
  ] as const) {
    it(`signs in to squid with ${name} and reaches the server`, async () => {
      const p = proxy();
      const run = await runCli(['test', ...base(), ...via(p), '--verbose'], `${PASSWORD}\n${PROXY_PASSWORD}\n`);
      const r = assertOk(run);
      assert.equal(typeof (r['phases'] as Record<string, number>)['proxy'], 'number');
      assert.match(run.stdout + run.stderr, new RegExp(`signed in to the proxy with ${name}`));
      // squid logs the signed-in user on the tunnel's CONNECT line.
      assert.match(p.accessLog(), new RegExp(`CONNECT ${server.host.replace(/\./g, '\\.')}:443 ${PROXY_USER} `));
      assert.ok(!(run.stdout + run.stderr).includes(PROXY_PASSWORD), 'proxy password never printed');
    });

    it(`a wrong ${name} proxy password: exit 7, proxy-auth-failed naming the scheme squid offers`, async () => {
      const run = await runCli(['test', ...base(), ...via(proxy())], `${PASSWORD}\nwrong-one\n`);
      assert.equal(run.code, 7, run.stdout + run.stderr);
      const f = run.result?.['failure'] as { code: string; phase: string; message: string; detail: string };
      assert.equal(f.code, 'proxy-auth-failed');
      assert.equal(f.phase, 'proxy');
      assert.match(f.message, new RegExp(`rejected the proxy user name or password \\(${name}; it offers ${name}\\)`));
      assert.match(f.detail, /407/);
    });
  }

  it('without credentials: the 407 says squid wants Digest and what to do', async () => {
    const run = await runCli(['test', ...base(), '--proxy', digest.url], `${PASSWORD}\n`);
    assert.equal(run.code, 7, run.stdout + run.stderr);
    const f = run.result?.['failure'] as { code: string; message: string };
    assert.equal(f.code, 'proxy-auth-failed');
    assert.match(f.message, /requires signing in \(it offers Digest\)\. Add the proxy user name and password/);
  });

  it('picks https_proxy from the environment, and no_proxy sends the server direct', async () => {
    const envUrl = `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@${digest.host}:${digest.port}`;
    const args = ['test', server.host, '--user', 'testuser', '--password-stdin', '--json', '--insecure'];
    const before = connects(digest.accessLog());
    const run = await runCli(args, `${PASSWORD}\n`, { env: { ...process.env, https_proxy: envUrl } });
    const r = assertOk(run);
    assert.equal(typeof (r['phases'] as Record<string, number>)['proxy'], 'number', 'went through the proxy');
    assert.equal(connects(digest.accessLog()), before + 1, 'one CONNECT reached squid');
    assert.ok(!(run.stdout + run.stderr).includes(PROXY_PASSWORD), 'the password from the environment never printed');

    const direct = await runCli(args, `${PASSWORD}\n`, {
      env: { ...process.env, https_proxy: envUrl, no_proxy: `localhost,${server.host}` },
    });
    const d = assertOk(direct);
    assert.equal((d['phases'] as Record<string, number>)['proxy'], undefined, 'no proxy phase');
    assert.equal(connects(digest.accessLog()), before + 1, 'nothing more reached squid');

    const ignored = await runCli([...args, '--no-env-proxy'], `${PASSWORD}\n`, {
      env: { ...process.env, https_proxy: envUrl },
    });
    assertOk(ignored);
    assert.equal(connects(digest.accessLog()), before + 1, '--no-env-proxy ignores it');
  });
});
