// `causeway connect` of a profile with alternate servers remembers the one that connected (issue 13):
// the first server of the list is a closed port, the alternate the real SoftEther server. The first
// connect fails over to the alternate; the next one starts with it (and says so) and never knocks
// on the closed port again — counted by an nft rule in the server's namespace.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolvePaths } from '../../../main/services/paths.js';
import { ProfileStore } from '../../../main/services/profiles/store.js';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { run, tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { startCliProcess } from '../../support/cli-process.js';

const skip = integrationSkip();
const INDEX = 63;
const CLOSED_PORT = 4431;

describe('causeway connect remembers the server that connected', { skip, timeout: 180_000 }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let env: NodeJS.ProcessEnv;
  let configDir: string;

  before(async () => {
    server = await startSoftEther({ name: 'cw-lastsrv' });
    client = await startClientNetns(server.netns, INDEX);
    const home = mkdtempSync(join(tmpdir(), 'cw-lastsrv-'));
    env = { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), HOME: home };
    configDir = resolvePaths({ env }).configDir;
    // Count SYNs to the closed port inside the server's namespace (nothing listens there: RST).
    const rules = join(home, 'count.nft');
    writeFileSync(
      rules,
      `table inet cwlast {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport ${CLOSED_PORT} tcp flags syn counter\n  }\n}\n`,
    );
    await run(tool('ip'), ['netns', 'exec', server.netns, tool('nft'), '-f', rules]);
  });
  after(async () => {
    await client?.stop();
    await server?.stop();
  });

  async function synsToClosedPort(): Promise<number> {
    const r = await run(tool('ip'), [
      'netns',
      'exec',
      server.netns,
      tool('nft'),
      '-j',
      'list',
      'table',
      'inet',
      'cwlast',
    ]);
    return Number(/"packets":\s*(\d+)/.exec(r.stdout)?.[1] ?? NaN);
  }

  async function connectOnce(): Promise<{ server: unknown; stderr: string }> {
    const cli = startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      ['connect', 'Pool', '--password-stdin', '--json', '--no-dns'],
      'testpass',
      env,
    );
    try {
      const up = await cli.waitFor((e) => e['event'] === 'connected', 60_000);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
      return { server: up['server'], stderr: cli.output() };
    } finally {
      cli.child.kill('SIGKILL');
    }
  }

  it('fails over to the alternate once, then starts with it', async () => {
    const store = new ProfileStore(configDir);
    const added = await store.add({
      name: 'Pool',
      server: { host: client.serverAddress, port: CLOSED_PORT },
      alternateServers: [{ host: client.serverAddress, port: 443 }],
      username: 'testuser',
      authMethods: ['mschapv2'],
      tls: { minVersion: 'TLSv1.2', insecure: true },
      reconnect: { enabled: false },
    });
    assert.ok(added.ok, JSON.stringify(added));

    const first = await connectOnce();
    assert.deepEqual(
      { host: (first.server as { host: string }).host, port: (first.server as { port: number }).port },
      { host: client.serverAddress, port: 443 },
    );
    const synsAfterFirst = await synsToClosedPort();
    assert.ok(synsAfterFirst >= 1, `the first connect tried the closed port (${synsAfterFirst} SYNs)`);
    const remembered = JSON.parse(readFileSync(join(configDir, 'last-servers.json'), 'utf8')) as {
      servers: Record<string, { host: string; port: number }>;
    };
    assert.deepEqual(remembered.servers[added.value.id], { host: client.serverAddress, port: 443 });

    const second = await connectOnce();
    assert.equal((second.server as { port: number }).port, 443);
    assert.match(second.stderr, /starting with .*:443, the server that connected last time/);
    assert.equal(await synsToClosedPort(), synsAfterFirst, 'the second connect never tried the closed port');
  });
});
