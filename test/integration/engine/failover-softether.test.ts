// A server list against real endpoints: a closed port (refused), a plain TCP listener that answers
// TLS with garbage, then the real SoftEther server. The session must end up on SoftEther, and the log
// and the skipped list must say why each of the first two was passed over. A wrong password is not
// failed over (every server of a pool would refuse it the same way).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { SessionConfig } from '../../../main/engine/config.js';
import { FailoverSession, type ServerEndpoint } from '../../../main/engine/failover.js';
import type { LogEntry } from '../../../main/engine/log.js';
import { SstpSession } from '../../../main/engine/session.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { assertNothingLeftOpen, FAST_TIMERS } from './helpers.js';

const skip = integrationSkip();

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('server list with failover', { skip }, () => {
  let softether: SoftEtherServer;
  let closedPort: number;
  let garbage: Server;
  let garbagePort: number;
  const garbageClients = new Set<Socket>();

  before(async () => {
    softether = await startSoftEther({ name: 'cw-fo' });
    // A port that was just in use and is now closed: connect is refused (RST), not dropped.
    const probe = createServer();
    closedPort = await listen(probe);
    await new Promise<void>((r) => probe.close(() => r()));
    // Speaks, but not TLS: the ClientHello gets an SSH banner back.
    garbage = createServer((s) => {
      garbageClients.add(s);
      s.on('close', () => garbageClients.delete(s));
      s.on('error', () => {});
      s.once('data', () => s.write('SSH-2.0-OpenSSH_9.2 not-an-sstp-server\r\n'));
    });
    garbagePort = await listen(garbage);
  });
  after(async () => {
    for (const s of garbageClients) s.destroy();
    await new Promise<void>((r) => garbage.close(() => r()));
    await softether?.stop();
    await assertNothingLeftOpen();
  });

  function base(password: string = softether.users.password): SessionConfig {
    return {
      host: softether.host,
      port: softether.port,
      tlsMin: 'TLSv1.2',
      trust: { pinSha256: softether.certDerSha256 },
      credentials: { username: softether.users.username, password },
      authMethods: ['mschapv2'],
      ipv6: false,
      mru: 1500,
    };
  }

  function servers(): ServerEndpoint[] {
    return [
      { host: '127.0.0.1', port: closedPort },
      { host: '127.0.0.1', port: garbagePort },
      { host: softether.host, port: softether.port },
    ];
  }

  function failover(config: SessionConfig) {
    const logs: LogEntry[] = [];
    const connected: number[] = [];
    const session = new FailoverSession(
      config,
      servers(),
      { ...FAST_TIMERS, negotiationTimeoutMs: 20_000, log: (e) => logs.push(e) },
      (c, d) => new SstpSession(c, d),
      {
        onConnected: (_s, i) => connected.push(i),
      },
    );
    const transcript = () => logs.map((l) => `${l.phase} ${l.level} ${l.message}`).join('\n');
    return { session, logs, connected, transcript };
  }

  test('refused, then not TLS, then SoftEther: connected to the third, each skip explained', async () => {
    const f = failover(base());
    const outcome = await f.session.connect();
    assert.ok(outcome.ok, f.transcript());
    assert.deepEqual(f.session.server, { host: softether.host, port: softether.port });
    assert.deepEqual(f.connected, [2]);
    assert.deepEqual(
      outcome.info.server,
      { host: softether.host, port: softether.port, address: softether.host },
      'the status names the server in use',
    );
    assert.deepEqual(
      f.session.skipped.map((s) => [s.server.port, s.failure.phase, s.failure.code]),
      [
        [closedPort, 'tcp', 'network-unreachable'],
        [garbagePort, 'tls', 'tls-failed'],
      ],
    );
    const warnings = f.logs.filter((l) => l.level === 'warn').map((l) => l.message);
    assert.match(
      warnings[0] ?? '',
      new RegExp(
        `^skipping 127\\.0\\.0\\.1:${closedPort}: .*refused the connection.*; trying 127\\.0\\.0\\.1:${garbagePort}$`,
      ),
      f.transcript(),
    );
    assert.match(
      warnings[1] ?? '',
      new RegExp(`^skipping 127\\.0\\.0\\.1:${garbagePort}: .*; trying ${softether.host.replace(/\./g, '\\.')}:443$`),
      f.transcript(),
    );
    process.stderr.write(`# failover skipped:\n#   ${warnings.join('\n#   ')}\n`);
    await f.session.disconnect();
    assert.equal(await f.session.closed, null);
  });

  test('a wrong password on a reachable server is not failed over', async () => {
    const f = failover(base('wrong-password'));
    const outcome = await f.session.connect();
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.code, 'auth-failed', f.transcript());
    assert.equal(f.session.skipped.length, 2, 'only the two broken servers were skipped');
    assert.deepEqual(await f.session.closed, outcome.failure);
  });
});
