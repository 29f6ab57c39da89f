// Connect to the address that is protected (issue 12): one name, two addresses, served by a
// round-robin DNS that answers each query with the other one. `causeway connect NAME` resolves the
// name once per attempt, keeps exactly that address outside the tunnel and connects to it (a second
// lookup for the dial would have got the other address, routed into the tunnel itself). A reconnect
// within the attempt reuses it; a new attempt resolves again.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { run, tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { spawnJsonChild, type JsonChild } from '../../support/json-child.js';
import { startCliProcess, type CliProcess } from '../../support/cli-process.js';

const skip = integrationSkip();
const INDEX = 41;
const NAME = 'vpn.rr.test';
// Off the client's LAN (reached through its default gateway), so the full tunnel's routes would
// capture either one unless it is excluded. Both are the SoftEther server's (on its namespace's lo).
const FIRST = '198.51.100.8';
const SECOND = '198.51.100.7';
const DNS_MAIN = fileURLToPath(new URL('../../harness/round-robin-dns-main.ts', import.meta.url));

describe('connect resolves once per attempt and dials the address it protects', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let dns: JsonChild;

  before(async () => {
    server = await startSoftEther({ name: 'cw-rr' });
    client = await startClientNetns(server.netns, INDEX);
    const ip = tool('ip');
    for (const a of [FIRST, SECOND]) await run(ip, ['-n', server.netns, 'addr', 'add', `${a}/32`, 'dev', 'lo']);
    await run(ip, ['-n', client.name, 'route', 'add', 'default', 'via', client.serverAddress]);
    writeFileSync(client.resolvConfPath, 'nameserver 127.0.0.1\n');
    dns = spawnJsonChild(
      ip,
      ['netns', 'exec', client.name, process.execPath, '--import', 'tsx', DNS_MAIN, '127.0.0.1', NAME, FIRST, SECOND],
      '',
    );
    await dns.waitFor((e) => e['listening'] !== undefined, 20_000);
  });
  after(async () => {
    dns?.child.kill('SIGKILL');
    await client?.stop();
    await server?.stop();
  });

  const aQueries = () => dns.events.filter((e) => e['qname'] === NAME && e['qtype'] === 1).length;

  function connect(): CliProcess {
    return startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      [
        'connect',
        NAME,
        '--user',
        'testuser',
        '--password-stdin',
        '--pin',
        `sha256:${server.certDerSha256}`,
        '--no-dns',
        '--json',
      ],
      'testpass',
    );
  }

  async function routeDev(address: string): Promise<string> {
    return (await client.routeGet(address)).dev;
  }

  /** The remote end of the established TCP connection to :443 in the client namespace. */
  async function tcpPeer(): Promise<string> {
    const r = await client.exec(tool('ss'), ['-Htn', 'state', 'established', '( dport = :443 )']);
    const peers = r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/).pop() ?? '');
    assert.equal(peers.length, 1, r.stdout);
    return peers[0] ?? '';
  }

  async function expectConnectedTo(cli: CliProcess, from: number, address: string, other: string) {
    const up = await cli.waitFor((e) => e['event'] === 'connected', 60_000, from);
    const iface = String(up['interface']);
    assert.deepEqual(up['server'], { host: NAME, port: 443, address }, JSON.stringify(up));
    assert.equal(await tcpPeer(), `${address}:443`);
    // Exactly that address stays outside the tunnel; the name's other address goes into it.
    assert.notEqual(await routeDev(address), iface);
    assert.equal(await routeDev(address), `cwc${INDEX}-c`);
    assert.equal(await routeDev(other), iface);
  }

  it('first attempt: one lookup, that address excluded and connected; a reconnect reuses it; the next attempt resolves again', async () => {
    const first = connect();
    try {
      await expectConnectedTo(first, 0, FIRST, SECOND);
      assert.equal(aQueries(), 1, JSON.stringify(dns.events));

      // The server drops and comes back: the reconnect dials the protected address, no new lookup.
      const before = first.events.length;
      await server.kill();
      await first.waitFor((e) => e['event'] === 'reconnecting', 30_000, before);
      await server.restart();
      await expectConnectedTo(first, before, FIRST, SECOND);
      assert.equal(aQueries(), 1, JSON.stringify(dns.events));

      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0, first.output());
    } finally {
      first.child.kill('SIGKILL');
    }

    // A new attempt asks again: the round robin now answers the other address, and that is the one.
    const second = connect();
    try {
      await expectConnectedTo(second, 0, SECOND, FIRST);
      assert.equal(aQueries(), 2, JSON.stringify(dns.events));
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.output());
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
