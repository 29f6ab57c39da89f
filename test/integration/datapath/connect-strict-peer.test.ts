// `causeway connect` against our strict peer (which verifies crypto binding and CALL_CONNECTED order
// on every connection) when the server misbehaves after the tunnel is up: a malformed frame, a peer
// that falls silent. The client runs in its own netns, joined by a veth to this test process's netns
// where the peer listens; each case ends with nothing left behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readResolvConf, startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { sleep, tool } from '../../harness/netns.js';
import { integrationSkip } from '../../harness/softether.js';
import { startStrictPeer, type StrictPeer } from '../../peers/strict-sstp-server.js';
import type { PartialScript } from '../../peers/script.js';
import { startCliProcess, type CliProcess } from '../../support/cli-process.js';

const skip = integrationSkip();

describe('causeway connect against the strict peer', { skip }, () => {
  let client: ClientNetns;
  let peer: StrictPeer | undefined;

  before(async () => {
    client = await startClientNetns(null, 5);
  });
  after(async () => {
    await peer?.stop();
    await client?.stop();
  });

  async function connect(script: PartialScript, extra: string[]): Promise<{ cli: CliProcess; peer: StrictPeer }> {
    await peer?.stop();
    peer = await startStrictPeer(script, { listenHost: client.serverAddress });
    const cli = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      [
        'connect',
        `${peer.host}:${peer.port}`,
        '--user',
        'testuser',
        '--password-stdin',
        '--pin',
        `sha256:${peer.certSha256}`,
        '--json',
        ...extra,
      ],
      'testpass',
    );
    return { cli, peer };
  }

  async function assertNothingLeft(): Promise<void> {
    for (let i = 0; i < 40; i++) {
      const links = await client.links();
      if (!links.some((l) => l.startsWith('causeway')) && readResolvConf(client) === client.originalResolvConf) return;
      await sleep(50);
    }
    assert.fail(`leftovers: ${(await client.links()).join(',')} / ${readResolvConf(client)}`);
  }

  it('a malformed frame after the tunnel is up ends it with a clear protocol error (exit 6), nothing left behind', async () => {
    const { cli, peer } = await connect(
      { faults: [{ at: 'ipcp-opened', afterMs: 1_000, action: { kind: 'malformed', which: 'bad-version' } }] },
      ['--no-reconnect'],
    );
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 20_000);
      assert.equal(up['address'], '10.77.0.2');
      const ping = await client.exec(tool('ping'), ['-c', '1', '-W', '2', '10.77.0.1'], { allowFailure: true });
      assert.equal(ping.code, 0, 'the strict peer answers a ping through the real TUN');
      const down = await cli.waitFor((e) => e['event'] === 'disconnected', 10_000);
      const reason = down['reason'] as { code: string; message: string; detail: string };
      assert.equal(reason.code, 'protocol-error');
      assert.match(reason.message, /not SSTP/);
      assert.match(reason.detail, /version/);
      assert.equal(await cli.exited, 6, cli.output());
      await assertNothingLeft();
      assert.deepEqual(peer.violations, [], 'crypto binding and ordering verified by the peer');
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('a peer that falls silent is detected within two keepalive intervals, and the tunnel reconnects', async () => {
    const keepaliveS = 1;
    const { cli, peer } = await connect(
      { faults: [{ at: 'ipcp-opened', afterMs: 500, action: { kind: 'silence' } }] },
      ['--keepalive', String(keepaliveS)],
    );
    try {
      await cli.waitFor((e) => e['event'] === 'connected', 20_000);
      const t0 = Date.now();
      const drop = await cli.waitFor((e) => e['event'] === 'reconnecting', 10_000);
      const elapsed = Date.now() - t0;
      assert.equal((drop['reason'] as { code: string }).code, 'dead-peer');
      // Silence starts 0.5 s after IPCP; detection needs at most two intervals of it.
      assert.ok(elapsed <= 500 + 2 * keepaliveS * 1000 + 1000, `detected after ${elapsed} ms`);
      const again = await cli.waitFor((e) => e['event'] === 'connected' && Number(e['reconnects']) >= 1, 20_000);
      assert.equal(again['interface'], (cli.events.find((e) => e['event'] === 'connected') ?? {})['interface']);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
      await assertNothingLeft();
      assert.deepEqual(peer.violations, []);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
