// `causeway connect --metrics` (and --capture) for real: root, the helper, a TUN device in a client
// namespace, SoftEther behind it. The endpoint is scraped while the tunnel carries traffic; prom-client's
// text is parsed back strictly (promtool is not in Debian 12 without the prometheus server).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { sleep, tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess } from '../../support/cli-process.js';
import { parsePromText, sampleValue, type PromFamily } from '../../support/prom-text.js';
import { runCli } from '../../support/run-cli.js';
import { tshark } from './tshark.js';

const skip = integrationSkip();

describe('causeway connect --metrics against SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let dir: string;

  before(async () => {
    server = await startSoftEther({ name: 'cw-metrics' });
    client = await startClientNetns(server.netns, 6);
    dir = mkdtempSync(join(tmpdir(), 'cw-metrics-'));
  });
  after(async () => {
    await client?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function scrape(url: string): Promise<Map<string, PromFamily>> {
    const r = await client.exec(tool('curl'), ['-sS', '--max-time', '5', url], { timeoutMs: 10_000 });
    return parsePromText(r.stdout);
  }

  it('serves state, connects, bytes that grow with traffic, keepalive (SSTP/LCP echo) RTT and phase durations; the capture of the same tunnel dissects', async (t) => {
    const capture = join(dir, 'connect.pcapng');
    let echoCounts = { sstp: 0, lcp: 0 };
    const cli = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      [
        'connect',
        client.serverAddress,
        '--user',
        'testuser',
        '--password-stdin',
        '--insecure',
        '--json',
        '--auth',
        'mschapv2',
        '--no-default-route',
        '--no-dns',
        '--keepalive',
        '1',
        '--metrics',
        '127.0.0.1:9464',
        '--capture',
        capture,
      ],
      'testpass',
    );
    try {
      const announced = await cli.waitFor((e) => e['event'] === 'metrics', 30_000);
      const url = String(announced['url']);
      assert.equal(url, 'http://127.0.0.1:9464/metrics');
      const up = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const peer = String(up['peer']);

      const first = await scrape(url);
      assert.equal(sampleValue(first, 'causeway_tunnel_up'), 1);
      assert.equal(sampleValue(first, 'causeway_tunnel_state', { state: 'connected' }), 1);
      assert.equal(sampleValue(first, 'causeway_connects_total'), 1);
      for (const phase of ['tcp', 'tls', 'http', 'sstp', 'lcp', 'auth', 'ipcp']) {
        assert.equal(sampleValue(first, 'causeway_phase_duration_seconds_count', { phase }), 1, `phase ${phase} timed`);
      }
      assert.ok((sampleValue(first, 'causeway_phase_duration_seconds_sum', { phase: 'auth' }) ?? 0) > 0);
      const in0 = sampleValue(first, 'causeway_sstp_bytes_total', { direction: 'in' }) ?? 0;
      const out0 = sampleValue(first, 'causeway_sstp_bytes_total', { direction: 'out' }) ?? 0;
      assert.ok(in0 > 0 && out0 > 0);

      // 20 pings of 1000 bytes each way: at least 20 kB more inside TLS in both directions.
      const ping = await client.exec(tool('ping'), ['-c', '20', '-i', '0.05', '-s', '1000', '-W', '2', peer], {
        timeoutMs: 30_000,
      });
      assert.match(ping.stdout, /20 received/);
      // Keepalive 1 s: once the line is quiet an SSTP ECHO_REQUEST or an LCP Echo-Request goes out
      // (whichever timer fires first; its answer keeps the other quiet) and is answered.
      await sleep(3_500);
      const second = await scrape(url);
      const in1 = sampleValue(second, 'causeway_sstp_bytes_total', { direction: 'in' }) ?? 0;
      const out1 = sampleValue(second, 'causeway_sstp_bytes_total', { direction: 'out' }) ?? 0;
      assert.ok(in1 - in0 >= 20_000, `in grew by ${in1 - in0}`);
      assert.ok(out1 - out0 >= 20_000, `out grew by ${out1 - out0}`);
      const echoes = {
        sstp: sampleValue(second, 'causeway_echo_rtt_seconds_count', { layer: 'sstp' }) ?? 0,
        lcp: sampleValue(second, 'causeway_echo_rtt_seconds_count', { layer: 'lcp' }) ?? 0,
      };
      const rttSum =
        (sampleValue(second, 'causeway_echo_rtt_seconds_sum', { layer: 'sstp' }) ?? 0) +
        (sampleValue(second, 'causeway_echo_rtt_seconds_sum', { layer: 'lcp' }) ?? 0);
      assert.ok(echoes.sstp + echoes.lcp >= 2, `keepalives timed: ${JSON.stringify(echoes)}`);
      const rtt = rttSum / (echoes.sstp + echoes.lcp);
      assert.ok(rtt > 0 && rtt < 1, `mean echo RTT ${rtt} s`);
      echoCounts = echoes;
      t.diagnostic(
        `keepalives timed ${JSON.stringify(echoes)}, mean RTT ${(rtt * 1000).toFixed(2)} ms; bytes in +${in1 - in0}, out +${out1 - out0}`,
      );
      assert.equal(second.get('causeway_echo_rtt_seconds')?.type, 'histogram');
      assert.equal(
        sampleValue(second, 'causeway_tunnel_up', { server: `${client.serverAddress}:443` }),
        1,
        'labelled with the server',
      );

      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
    } finally {
      cli.child.kill('SIGKILL');
    }
    const fields = await tshark(['-r', capture, '-T', 'fields', '-e', 'frame.protocols']);
    const protocols = fields.stdout.trim().split('\n');
    assert.ok(
      protocols.filter((p) => p.endsWith('ppp:ip:icmp:data')).length >= 40,
      'the 20 pings each way are in the capture',
    );
    assert.ok(protocols.some((p) => p.includes('ppp:chap')));
    // The metrics counted exactly the keepalive replies the capture holds.
    const count = async (filter: string) =>
      (await tshark(['-r', capture, '-Y', filter])).stdout.trim().split('\n').filter(Boolean).length;
    assert.ok((await count('sstp.messagetype == 0x0009')) >= echoCounts.sstp, 'SSTP ECHO_RESPONSEs in the capture');
    assert.ok((await count('lcp && ppp.code == 10')) >= echoCounts.lcp, 'LCP Echo-Replies in the capture');
    assert.equal((await tshark(['-r', capture, '-Y', '_ws.malformed'])).stdout.trim(), '', 'no malformed packet');
  });

  it('refuses a non-loopback metrics address unless allowed, before connecting', async () => {
    const r = await runCli(
      [
        'connect',
        server.host,
        '--user',
        'testuser',
        '--password-stdin',
        '--insecure',
        '--json',
        '--metrics',
        '0.0.0.0:9464',
      ],
      'testpass',
    );
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /not a loopback address/);
    assert.ok(!r.events.some((e) => e['event'] === 'connecting' || e['event'] === 'connected'));
  });
});
