// One-time passwords with `causeway connect --otp append --otp-stdin` against the strict peer, which
// accepts password+code with each code once (OneTimeCodes). Connect with a code, the peer drops the
// link, the reconnect asks for a new code (otp-needed): a spent code is refused by the client itself,
// a wrong one is refused by the server and asked again at once (no backoff), a fresh one reconnects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { integrationSkip } from '../../harness/softether.js';
import { OneTimeCodes } from '../../peers/one-time-codes.js';
import { startStrictPeer, type StrictPeer } from '../../peers/strict-sstp-server.js';
import { spawnJsonChild } from '../../support/json-child.js';
import { CAUSEWAY_BIN } from '../../support/run-cli.js';

const skip = integrationSkip();

describe('causeway connect with one-time codes (strict peer)', { skip }, () => {
  let client: ClientNetns;
  let peer: StrictPeer | undefined;

  before(async () => {
    client = await startClientNetns(null, 6);
  });
  after(async () => {
    await peer?.stop();
    await client?.stop();
  });

  it('each connect takes a fresh code; a reconnect after a drop asks again and never replays one', async () => {
    const codes = new OneTimeCodes(['111111', '222222', '333333'], 'append');
    peer = await startStrictPeer(
      {
        auth: { methods: ['mschapv2'], oneTimeCodes: codes },
        faults: [{ at: 'ipcp-opened', afterMs: 2_500, action: { kind: 'drop' } }],
      },
      { listenHost: client.serverAddress },
    );
    const args = [
      'connect',
      `${peer.host}:${peer.port}`,
      '--user',
      'testuser',
      '--password-stdin',
      '--otp',
      'append',
      '--otp-stdin',
      '--pin',
      `sha256:${peer.certSha256}`,
      '--json',
    ];
    const cli = spawnJsonChild(
      'ip',
      ['netns', 'exec', client.name, process.execPath, CAUSEWAY_BIN, ...args],
      'testpass\n',
      { keepStdinOpen: true },
    );
    try {
      await cli.waitFor((e) => e['event'] === 'otp-needed' && e['attempt'] === 1, 10_000);
      cli.send('111111');
      const up = await cli.waitFor((e) => e['event'] === 'connected', 20_000);
      assert.equal(up['address'], '10.77.0.2');

      // The peer drops the link; the reconnect asks for a new code.
      let mark = cli.events.length;
      await cli.waitFor((e) => e['event'] === 'reconnecting', 10_000, mark);
      const ask = await cli.waitFor((e) => e['event'] === 'otp-needed', 10_000, mark);
      assert.equal(ask['reason'], undefined);
      // The spent code: refused by the client, which asks again rather than send it.
      mark = cli.events.length;
      cli.send('111111');
      const again = await cli.waitFor((e) => e['event'] === 'otp-needed', 5_000, mark);
      assert.match(String(again['reason']), /already used/);
      // A wrong code: the server refuses it; the client asks at once instead of backing off.
      mark = cli.events.length;
      cli.send('999999');
      const t0 = Date.now();
      const afterWrong = await cli.waitFor((e) => e['event'] === 'otp-needed', 10_000, mark);
      assert.ok(Date.now() - t0 < 5_000, 'asked again within the attempt, not after a backoff');
      assert.equal(afterWrong['reason'], undefined);
      cli.send('222222');
      const back = await cli.waitFor((e) => e['event'] === 'connected' && Number(e['reconnects']) >= 1, 20_000, mark);
      assert.equal(back['address'], '10.77.0.2');

      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
      assert.deepEqual(codes.accepted, ['111111', '222222'], peer.transcript());
      assert.deepEqual(codes.replayed, [], 'no code was ever sent twice');
      const results = peer.all('auth-result').map((r) => r.ok);
      assert.deepEqual(results, [true, false, true], peer.transcript());
      for (const code of ['111111', '222222', '999999'])
        assert.ok(!cli.output().includes(code), `code ${code} appears in the CLI's output`);
      assert.deepEqual(peer.violations, []);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
