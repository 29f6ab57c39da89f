// Byte-exactness of the data plane under load, both directions (issue 17): 100 MiB down from nginx
// and 100 MiB up into a hashing sink, through `causeway connect` in a client netns and SoftEther,
// first one way at a time, then both at once (full duplex exercises both backpressure paths
// together). It guards every data-path optimisation; it measures nothing — no time limits beyond
// the tools' own safety timeouts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type BlobInfo, type SoftEtherServer } from '../../harness/softether.js';
import { parseUploadResult, startUploadSink, type UploadResult, type UploadSink } from '../../harness/upload-sink.js';
import { startCliProcess } from '../../support/cli-process.js';

const skip = integrationSkip();
const BRIDGE_HOST = '192.168.30.5';
const SINK_PORT = 8081;
const SIZE = 100 * 1024 * 1024;

describe('data integrity through causeway connect and SoftEther, both directions', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let sink: UploadSink;
  let down: BlobInfo;
  let up: BlobInfo;

  before(async () => {
    server = await startSoftEther({ name: 'cw-sha', http: true });
    // Two different files, so an upload can never pass by echoing what was downloaded.
    down = await server.writeRandomBlob('down.bin', SIZE);
    up = await server.writeRandomBlob('up.bin', SIZE);
    sink = await startUploadSink({ netns: server.netns, port: SINK_PORT });
    client = await startClientNetns(server.netns, 3);
  });
  after(async () => {
    await client?.stop();
    await sink?.stop();
    await server?.stop();
  });

  async function download(): Promise<string> {
    const r = await client.exec('/bin/sh', ['-c', `${tool('curl')} -sS --max-time 240 ${down.url} | sha256sum`], {
      timeoutMs: 250_000,
    });
    return r.stdout.split(' ')[0] ?? '';
  }

  async function upload(): Promise<UploadResult> {
    // The client netns shares our filesystem: curl reads the file the server wrote. "Expect:" off
    // saves a round trip; the sink answers only after the last byte.
    const r = await client.exec(
      tool('curl'),
      [
        '-sS',
        '--fail',
        '--max-time',
        '240',
        '-H',
        'Expect:',
        '-T',
        up.path,
        `http://${BRIDGE_HOST}:${SINK_PORT}/up.bin`,
      ],
      { timeoutMs: 250_000 },
    );
    return parseUploadResult(r.stdout);
  }

  it('100 MiB down, 100 MiB up, then both at once: sha256 matches every time', async () => {
    const cli = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['connect', client.serverAddress, '--user', 'testuser', '--password-stdin', '--insecure', '--json', '--no-dns'],
      'testpass',
    );
    try {
      const connected = await cli.waitFor((e) => e['event'] === 'connected', 30_000);
      const iface = String(connected['interface']);
      assert.equal((await client.routeGet(BRIDGE_HOST)).dev, iface, 'the bridge host is reached through the tunnel');

      assert.equal(await download(), down.sha256, 'download matches byte for byte');
      assert.deepEqual(await upload(), { bytes: SIZE, sha256: up.sha256 }, 'upload matches byte for byte');

      const [d, u] = await Promise.all([download(), upload()]);
      assert.equal(d, down.sha256, 'download during an upload matches');
      assert.deepEqual(u, { bytes: SIZE, sha256: up.sha256 }, 'upload during a download matches');

      assert.ok(!cli.events.some((e) => e['event'] === 'reconnecting'), `the session never dropped:\n${cli.output()}`);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
