// `causeway doctor` against the real SoftEther server: every failure the harness can produce gets its
// own failed phase, verdict and advice; a success shows the whole timeline, the server recognised and
// the path MTU; the report file is redacted and 0600. The app's Test (ConnectionService) and the
// CLI give the same verdicts on the same server, because they run the same routine.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DoctorPhase, DoctorReport, Verdict } from '../../../main/contract/doctor.js';
import type { SessionConfig } from '../../../main/engine/config.js';
import { SstpSession } from '../../../main/engine/session.js';
import { ConnectionService } from '../../../main/services/connections/connection-service.js';
import { MemoryCredentialStore } from '../../../main/services/credentials/memory-store.js';
import { diagnose } from '../../../main/services/doctor/diagnose.js';
import { ConnectionLogs } from '../../../main/services/logs/connection-logs.js';
import { ProfileStore } from '../../../main/services/profiles/store.js';
import { startChallengeProxy, startTinyproxy, type ChallengeProxy, type Tinyproxy } from '../../harness/proxy.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { runCli, type CliRun } from '../../support/run-cli.js';

const skip = integrationSkip();
const PASSWORD = 'testpass';

function doctorOf(run: CliRun): DoctorReport {
  const r = run.events.find((e) => e['event'] === 'doctor');
  assert.ok(r, `no doctor line\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return r as unknown as DoctorReport;
}
const verdictOf = (r: DoctorReport, p: DoctorPhase): Verdict | undefined =>
  r.phases.find((x) => x.phase === p)?.verdict;
const failedPhase = (r: DoctorReport) => r.phases.filter((p) => p.verdict === 'failed');

describe('causeway doctor against SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let authProxy: Tinyproxy;
  let ntlmProxy: ChallengeProxy;
  let dir: string;
  const base = () => ['doctor', server.host, '--user', 'testuser', '--password-stdin', '--json'];

  before(async () => {
    server = await startSoftEther({ name: 'cw-doc' });
    authProxy = await startTinyproxy({ basicAuth: { user: 'proxyuser', password: 'proxy-pass.1' } });
    ntlmProxy = await startChallengeProxy(['NTLM', 'Negotiate']);
    dir = mkdtempSync(join(tmpdir(), 'cw-doctor-it-'));
  });
  after(async () => {
    await ntlmProxy?.stop();
    await authProxy?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('success: the full timeline, SoftEther recognised, the path MTU measured, a redacted 0600 report', async () => {
    const file = join(dir, 'ok-report.txt');
    const run = await runCli(
      [...base(), '--pin', `sha256:${server.certDerSha256}`, '--ipv6', '--report', file],
      PASSWORD,
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = doctorOf(run);
    assert.equal(r.ok, true);
    const expected: Record<DoctorPhase, Verdict> = {
      dns: 'skipped',
      tcp: 'ok',
      proxy: 'skipped',
      tls: 'ok',
      http: 'ok',
      sstp: 'ok',
      lcp: 'ok',
      auth: 'ok',
      ipcp: 'ok',
      ipv6cp: 'ok',
      data: 'ok',
      mtu: 'ok',
    };
    assert.deepEqual(Object.fromEntries(r.phases.map((p) => [p.phase, p.verdict])), expected);
    for (const p of r.phases) if (p.verdict === 'ok') assert.equal(typeof p.ms, 'number', `${p.phase} timed`);
    assert.equal(r.quirks[0]?.family, 'SoftEther VPN Server');
    assert.ok(r.mtu?.ok);
    if (r.mtu?.ok) {
      assert.equal(r.mtu.pathMtu, r.mtu.linkMtu);
      assert.equal(r.mtu.recommendedMss, r.mtu.pathMtu - 40);
    }
    assert.equal(r.binding, 'SHA256');
    console.log(
      `# doctor ok: ${r.phases.map((p) => `${p.phase}=${p.verdict}${p.ms !== null ? `(${p.ms}ms)` : ''}`).join(' ')}; mtu ${JSON.stringify(r.mtu?.ok ? { path: r.mtu.pathMtu, probes: r.mtu.probes.length } : r.mtu)}`,
    );

    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(PASSWORD), 'no password in the report');
    assert.ok(!text.includes('testuser'), 'no user name in the report');
    assert.ok(text.includes(server.certDerSha256.toUpperCase().match(/../g)?.join(':') ?? '?'), 'fingerprint kept');
    const saved = JSON.parse(text.slice(text.indexOf('\n{') + 1)) as DoctorReport;
    assert.ok(saved.trace.length > 20, 'the trace is in the report');
    assert.ok(saved.trace.some((e) => e.message.includes('name="<user>"')));
  });

  it('wrong password: auth fails, the advice says to check the user name and password (exit 5)', async () => {
    const run = await runCli([...base(), '--insecure', '--auth', 'mschapv2'], 'wrongpass');
    assert.equal(run.code, 5, run.stdout + run.stderr);
    const r = doctorOf(run);
    assert.deepEqual(
      failedPhase(r).map((p) => [p.phase, p.advice?.id]),
      [['auth', 'auth-credentials']],
    );
    for (const p of ['ipcp', 'data'] as const) assert.equal(verdictOf(r, p), 'not-reached');
    assert.equal(verdictOf(r, 'lcp'), 'ok');
  });

  it('untrusted certificate: TLS fails, the advice names the fingerprint to compare (exit 4)', async () => {
    const run = await runCli(base(), PASSWORD);
    assert.equal(run.code, 4, run.stdout + run.stderr);
    const r = doctorOf(run);
    const [p] = failedPhase(r);
    assert.equal(p?.phase, 'tls');
    assert.match(p?.advice?.id ?? '', /^certificate-(self-signed|unknown-ca)$/);
    assert.ok(p?.advice?.action.includes(r.certificate?.sha256 ?? '?'), p?.advice?.action);
    assert.equal(r.certificate?.sha256.replace(/:/g, '').toLowerCase(), server.certDerSha256);
  });

  it('changed pin: TLS fails as a changed certificate, not an unknown one (exit 4)', async () => {
    const run = await runCli([...base(), '--pin', `sha256:${'ab'.repeat(32)}`], PASSWORD);
    assert.equal(run.code, 4, run.stdout);
    const [p] = failedPhase(doctorOf(run));
    assert.deepEqual([p?.phase, p?.advice?.id], ['tls', 'certificate-changed']);
    assert.match(p?.advice?.meaning ?? '', /intercept/);
  });

  it('closed port: TCP fails with "nothing listens on that port" (exit 3)', async () => {
    const run = await runCli(
      ['doctor', `${server.host}:444`, '--user', 'testuser', '--password-stdin', '--json', '--insecure'],
      PASSWORD,
    );
    assert.equal(run.code, 3, run.stdout);
    const r = doctorOf(run);
    assert.deepEqual(
      failedPhase(r).map((p) => [p.phase, p.advice?.id]),
      [['tcp', 'port-closed']],
    );
    assert.equal(verdictOf(r, 'tls'), 'not-reached');
  });

  it('unresolvable name: DNS fails with its own advice', async () => {
    const run = await runCli(
      ['doctor', 'no-such-host.invalid', '--user', 'u', '--password-stdin', '--json', '--insecure'],
      'x',
    );
    assert.equal(run.code, 3, run.stdout);
    assert.deepEqual(
      failedPhase(doctorOf(run)).map((p) => [p.phase, p.advice?.id]),
      [['dns', 'dns-failed']],
    );
  });

  it('proxy 407 (tinyproxy, wrong proxy password): the proxy phase fails with credentials advice (exit 7)', async () => {
    const run = await runCli(
      [
        ...base(),
        '--insecure',
        '--proxy',
        `http://proxyuser@${authProxy.host}:${authProxy.port}`,
        '--proxy-password-stdin',
      ],
      `${PASSWORD}\nnope-wrong\n`,
    );
    assert.equal(run.code, 7, run.stdout + run.stderr);
    const r = doctorOf(run);
    assert.deepEqual(
      failedPhase(r).map((p) => [p.phase, p.advice?.id]),
      [['proxy', 'proxy-credentials']],
    );
    assert.equal(verdictOf(r, 'tcp'), 'ok');
    assert.ok(!run.stdout.includes('nope-wrong'), 'the proxy password is not printed');
  });

  it('a proxy that wants NTLM: "not supported", said as such', async () => {
    const run = await runCli([...base(), '--insecure', '--proxy', ntlmProxy.url], PASSWORD);
    assert.equal(run.code, 7, run.stdout + run.stderr);
    const [p] = failedPhase(doctorOf(run));
    assert.deepEqual([p?.phase, p?.advice?.id], ['proxy', 'proxy-ntlm']);
    assert.match(p?.advice?.meaning ?? '', /NTLM.*not support/);
    assert.match(ntlmProxy.requests[0] ?? '', /^CONNECT /);
  });

  it('the app’s Test and the CLI give the same verdicts on the same server (ok and wrong password)', async () => {
    const store = new ProfileStore(join(dir, 'profiles'));
    const credentials = new MemoryCredentialStore();
    const service = new ConnectionService({
      store,
      credentials,
      logs: new ConnectionLogs(join(dir, 'logs')),
      createSession: (c, d) => new SstpSession(c, d),
    });
    const added = await store.add({
      name: 'Lab',
      server: { host: server.host },
      username: 'testuser',
      tls: { pinnedSha256: server.certDerSha256 },
    } as never);
    assert.ok(added.ok, JSON.stringify(added));
    const id = added.ok ? added.value.id : '';
    await credentials.set(id, 'password', PASSWORD);
    for (const password of [PASSWORD, 'wrongpass']) {
      const app = await service.test(id, { password });
      const appVerdicts = app.ok ? app.verdicts : app.error.kind === 'failed' ? app.error.verdicts : undefined;
      const cli = await runCli(
        [
          'test',
          server.host,
          '--user',
          'testuser',
          '--password-stdin',
          '--json',
          '--pin',
          `sha256:${server.certDerSha256}`,
        ],
        password,
      );
      const cliVerdicts = cli.result?.['verdicts'] as Record<string, string> | undefined;
      assert.ok(appVerdicts && cliVerdicts, `${JSON.stringify(app)}\n${cli.stdout}`);
      assert.deepEqual(
        Object.fromEntries(appVerdicts.map((v) => [v.phase, v.verdict])),
        cliVerdicts,
        `same verdicts with ${password === PASSWORD ? 'the right' : 'a wrong'} password`,
      );
      assert.equal(app.ok, cli.result?.['ok']);
    }
  });

  // Last: it kills the server (restarted afterwards for anything that follows).
  it('server killed mid-auth: the auth phase fails as a lost connection, with advice naming the phase', async () => {
    const config: SessionConfig = {
      host: server.host,
      port: 443,
      tlsMin: 'TLSv1.2',
      trust: { insecure: true },
      credentials: { username: 'testuser', password: PASSWORD },
      authMethods: ['mschapv2'],
      ipv6: false,
      mru: 1500,
    };
    let killed: Promise<void> | undefined;
    const d = await diagnose(
      config,
      { createSession: (c, x) => new SstpSession(c, x) },
      { onPhase: (p) => void (p === 'auth' && !killed && (killed = server.kill())) },
    );
    await killed;
    const [p] = failedPhase(d.report);
    assert.equal(p?.phase, 'auth', JSON.stringify(d.report.phases));
    assert.equal(d.report.failure?.code, 'connection-lost');
    assert.equal(p?.advice?.id, 'connection-lost');
    assert.match(p?.advice?.meaning ?? '', /during auth/);
    assert.equal(verdictOf(d.report, 'lcp'), 'ok');
    await server.restart();
  });
});
