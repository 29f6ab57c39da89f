// `causeway bench` against the real SoftEther SSTP server (Debian's, patched copy) in a network
// namespace: echoes to SecureNAT's own address (192.168.30.1) through a userspace tunnel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { runCli } from '../../support/run-cli.js';

const skip = integrationSkip();

describe('causeway bench against SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  before(async () => {
    server = await startSoftEther({ name: 'cw-bench' });
  });
  after(async () => {
    await server?.stop();
  });
  const base = () => [server.host, '--user', 'testuser', '--password-stdin', '--insecure'];

  it('keeps echoes in flight for the time asked and reports goodput, round trips and CPU per GB', async () => {
    const run = await runCli(['bench', ...base(), '--json', '--seconds', '2', '--window', '16'], 'testpass');
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    const r = run.result as {
      event: string;
      ok: boolean;
      target: string;
      payloadBytes: number;
      idleRttMs: number;
      load: { sent: number; answered: number; lost: number; elapsedMs: number; answeredIpBytes: number };
      megabytesPerSecondEachWay: number;
      clientCpuSecondsPerGb: number;
    };
    assert.equal(r.event, 'bench');
    assert.equal(r.ok, true);
    assert.equal(r.target, '192.168.30.1');
    // SoftEther's MRU is 1500 here: full-size packets unless it said less.
    assert.ok(r.payloadBytes + 28 <= 1500 && r.payloadBytes >= 1000, String(r.payloadBytes));
    assert.equal(r.load.sent, r.load.answered + r.load.lost);
    assert.ok(r.load.answered > 100, `answered ${r.load.answered}`);
    assert.equal(r.load.answeredIpBytes, r.load.answered * (r.payloadBytes + 28));
    // The load ran for the time asked (2 s) plus the last round trips, not a fixed count.
    assert.ok(r.load.elapsedMs >= 2000 && r.load.elapsedMs < 6000, String(r.load.elapsedMs));
    const mbps = r.load.answeredIpBytes / 1e3 / r.load.elapsedMs;
    assert.ok(Math.abs(r.megabytesPerSecondEachWay - mbps) < 1e-9);
    assert.ok(r.clientCpuSecondsPerGb > 0);
    assert.ok(!run.stdout.includes('testpass') && !run.stderr.includes('testpass'), 'password never printed');
  });

  it('prints a readable summary without --json', async () => {
    const run = await runCli(['bench', ...base(), '--seconds', '1'], 'testpass');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^OK {2}.*echoes to 192\.168\.30\.1/m);
    assert.match(run.stdout, /goodput +\d+\.\d MB\/s each way/);
    assert.match(run.stdout, /round trip +idle \d+ ms; under load p50 \d+ ms/);
    assert.match(run.stdout, /client CPU +\d+\.\d\d CPU-s per GB/);
  });

  it('a wrong password fails with exit code 5 before any load', async () => {
    const run = await runCli(['bench', ...base(), '--json'], 'wrongpass');
    assert.equal(run.code, 5, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /"event":"bench"/);
  });

  it('refuses a bad --seconds with exit code 2 and says the range', async () => {
    const run = await runCli(['bench', ...base(), '--seconds', '0'], 'testpass');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /--seconds must be a whole number from 1 to 60/);
  });
});
