// Path MTU and MSS clamping against real SoftEther. The client namespace reaches the server over a
// veth with MTU 1300, and the host behind the server's bridge (nginx on 192.168.30.5) sits behind a
// 1300-byte link as well. The doctor, run inside the client namespace, measures the path MTU through
// the tunnel with DF probes; `causeway connect --mss-clamp <recommended>` then carries a 20 MiB
// download byte-exact, and the server side's TCP socket shows the clamped MSS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { run, runInNetns, sleep, tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type BlobInfo, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess } from '../../support/cli-process.js';
import type { DoctorReport } from '../../../main/contract/doctor.js';

const skip = integrationSkip();
const INDEX = 9;
const SMALL = 1300;
const BRIDGE_HOST = '192.168.30.5';

describe('path MTU and MSS clamping through SoftEther on a 1300-byte path', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let blob: BlobInfo;

  before(async () => {
    server = await startSoftEther({ name: 'cw-mtu', http: true });
    blob = await server.writeRandomBlob('blob20m.bin', 20 * 1024 * 1024);
    client = await startClientNetns(server.netns, INDEX);
    const ip = tool('ip');
    await run(ip, ['-n', client.name, 'link', 'set', `cwc${INDEX}-c`, 'mtu', String(SMALL)]);
    await run(ip, ['-n', server.netns, 'link', 'set', `cwc${INDEX}-s`, 'mtu', String(SMALL)]);
    await run(ip, ['-n', server.netns, 'link', 'set', 'tap_soft', 'mtu', String(SMALL)]);
  });
  after(async () => {
    await client?.stop();
    await server?.stop();
  });

  async function doctor(extra: string[]): Promise<DoctorReport> {
    const cli = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['doctor', client.serverAddress, '--user', 'testuser', '--password-stdin', '--insecure', '--json', ...extra],
      'testpass',
    );
    const code = await cli.exited;
    const r = cli.events.find((e) => e['event'] === 'doctor') as unknown as DoctorReport | undefined;
    assert.ok(r, `exit ${code}: ${cli.output()}`);
    return r;
  }

  let recommendedMss = 0;

  it('the doctor measures the path MTU to the host behind the server and recommends an MSS', async () => {
    const toPeer = await doctor([]);
    const behind = await doctor(['--mtu-target', BRIDGE_HOST]);
    const show = (r: DoctorReport) =>
      r.mtu?.ok
        ? `${r.mtu.pathMtu} (link ${r.mtu.linkMtu}, ${r.mtu.probes.length} probes: ${r.mtu.probes.map((p) => `${p.size}${p.passed ? '+' : '-'}`).join(' ')})`
        : JSON.stringify(r.mtu);
    console.log(
      `# MTU to the server's tunnel address: ${show(toPeer)}; to ${BRIDGE_HOST} behind a ${SMALL}-byte link: ${show(behind)}`,
    );
    assert.equal(toPeer.ok, true);
    assert.ok(toPeer.mtu?.ok && behind.mtu?.ok, JSON.stringify([toPeer.mtu, behind.mtu]));
    if (!behind.mtu?.ok) return;
    assert.equal(behind.mtu.pathMtu, SMALL, 'DF probes find the 1300-byte link behind the server');
    assert.equal(behind.mtu.recommendedMss, SMALL - 40);
    const phase = behind.phases.find((p) => p.phase === 'mtu');
    assert.equal(phase?.verdict, 'warning');
    assert.equal(phase?.advice?.id, 'mtu-small');
    assert.match(phase?.advice?.action ?? '', new RegExp(`MSS ${SMALL - 40}`));
    recommendedMss = behind.mtu.recommendedMss;
  });

  // The clamp is set 60 below the recommendation so the sockets' MSS can only come from our rewrite:
  // the kernels alone would settle on 1260 (the server's 1300-byte link − 40).
  it('with MSS clamping on, a 20 MiB download completes byte-exact; both TCP ends use the clamped MSS', async () => {
    const mss = (recommendedMss || SMALL - 40) - 60;
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
        '--mss-clamp',
        String(mss),
      ],
      'testpass',
    );
    try {
      await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const t0 = Date.now();
      const download = client.exec('/bin/sh', ['-c', `curl -sS --max-time 120 ${blob.url} | sha256sum`], {
        timeoutMs: 130_000,
      });
      let serverMss = '';
      let clientMss = '';
      for (let i = 0; i < 60 && !(serverMss && clientMss); i++) {
        const s = await runInNetns(server.netns, tool('ss'), ['-tin', 'state', 'established', '( sport = :8080 )'], {
          allowFailure: true,
        });
        const c = await client.exec(tool('ss'), ['-tin', 'state', 'established', '( dport = :8080 )'], {
          allowFailure: true,
        });
        serverMss ||= /\bmss:(\d+)/.exec(s.stdout)?.[1] ?? '';
        clientMss ||= /\bmss:(\d+)/.exec(c.stdout)?.[1] ?? '';
        if (!(serverMss && clientMss)) await sleep(50);
      }
      const r = await download;
      const ms = Date.now() - t0;
      assert.equal(r.stdout.split(' ')[0], blob.sha256, 'the download is byte-exact');
      console.log(
        `# 20 MiB through the tunnel with MSS clamp ${mss}: ${ms} ms (${((20 * 8 * 1.048576) / (ms / 1000)).toFixed(1)} Mbit/s); socket mss: server ${serverMss}, client ${clientMss}`,
      );
      // ss's mss is the segment payload after TCP options: Linux uses timestamps (12 bytes) both ways.
      // Without the clamp both would read 1248 (1300 − 40 − 12).
      assert.equal(Number(serverMss), mss - 12, 'the server saw our SYN with the clamped MSS (TUN → tunnel rewrite)');
      assert.equal(
        Number(clientMss),
        mss - 12,
        'the client saw the SYN-ACK with the clamped MSS (tunnel → TUN rewrite)',
      );
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
