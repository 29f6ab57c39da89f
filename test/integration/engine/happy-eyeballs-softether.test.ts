// Happy eyeballs against the real SoftEther server, reachable over IPv6 and IPv4 on its veth, with
// nftables in its namespace deciding each family's fate: IPv6 only (IPv4 SYNs dropped), IPv4 only
// (IPv6 refused), and IPv6 blackholed (SYNs dropped, nothing refused). Each must connect all the way
// (TLS, SSTP, PPP, IPCP) and say which address it used; the blackholed case must have its TCP
// connection within 300 ms of starting, i.e. of the IPv4 path being there to use.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialingAddresses, type SessionConfig } from '../../../main/engine/config.js';
import type { LogEntry } from '../../../main/engine/log.js';
import { SstpSession } from '../../../main/engine/session.js';
import { resolveHost } from '../../../main/engine/transport/resolve-server.js';
import { addServerIpv6, type ServerIpv6 } from '../../harness/ipv6.js';
import { findExecutable } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { assertNothingLeftOpen, FAST_TIMERS } from './helpers.js';

const skip = integrationSkip() || (findExecutable('nft') === undefined ? 'nft (nftables) is not installed' : false);

describe('happy eyeballs against SoftEther over IPv6 and IPv4', { skip }, () => {
  let server: SoftEtherServer;
  let v6: ServerIpv6;

  before(async () => {
    server = await startSoftEther({ name: 'cw-he' });
    v6 = await addServerIpv6(server);
  });
  after(async () => {
    await v6?.clear();
    await server?.stop();
    await assertNothingLeftOpen();
  });

  /** The server's name resolving to both families (A listed first, as a resolver may). */
  async function config(): Promise<SessionConfig> {
    const resolved = await resolveHost(server.serverName, () =>
      Promise.resolve([
        { address: server.host, family: 4 },
        { address: v6.serverAddress, family: 6 },
      ]),
    );
    assert.ok(resolved.ok);
    assert.deepEqual(resolved.addresses, [v6.serverAddress, server.host], 'IPv6 first');
    const base: SessionConfig = {
      host: server.serverName,
      port: server.port,
      tlsMin: 'TLSv1.2',
      trust: { pinSha256: server.certDerSha256 },
      credentials: { username: server.users.username, password: server.users.password },
      authMethods: ['mschapv2'],
      ipv6: false,
      mru: 1500,
    };
    return dialingAddresses(base, resolved);
  }

  async function connect() {
    const logs: LogEntry[] = [];
    const session = new SstpSession(await config(), {
      ...FAST_TIMERS,
      negotiationTimeoutMs: 20_000,
      log: (e) => logs.push(e),
    });
    const t0 = performance.now();
    let tcpAt = 0;
    session.onEvent((e) => {
      if (e.type === 'phase' && e.phase === 'tls' && tcpAt === 0) tcpAt = performance.now() - t0;
    });
    const outcome = await session.connect();
    const transcript = logs.map((l) => `${l.phase} ${l.level} ${l.message}`).join('\n');
    const race = logs.find((l) => l.message.startsWith('happy eyeballs:'))?.message ?? '';
    return { session, outcome, transcript, race, tcpMs: tcpAt, totalMs: performance.now() - t0 };
  }

  test('IPv6 only (IPv4 SYNs dropped): connected over IPv6 at once', async () => {
    await v6.setPaths({ ipv6: 'open', ipv4: 'dropped' });
    const r = await connect();
    assert.ok(r.outcome.ok, r.transcript);
    assert.match(r.race, new RegExp(`^happy eyeballs: \\[${v6.serverAddress}\\] \\+\\d+ ms connected$`), r.transcript);
    assert.ok(r.tcpMs < 200, `TCP over IPv6 took ${r.tcpMs} ms`);
    process.stderr.write(
      `# happy eyeballs, IPv6 only: TCP ${r.tcpMs.toFixed(1)} ms, connected ${r.totalMs.toFixed(0)} ms\n`,
    );
    await r.session.disconnect();
  });

  test('IPv4 only (IPv6 refused): connected over IPv4 without waiting out the 250 ms', async () => {
    await v6.setPaths({ ipv6: 'refused', ipv4: 'open' });
    const r = await connect();
    assert.ok(r.outcome.ok, r.transcript);
    assert.match(
      r.race,
      new RegExp(`failed \\(ECONNREFUSED\\), ${server.host.replace(/\./g, '\\.')} \\+\\d+ ms connected`),
      r.transcript,
    );
    assert.ok(r.tcpMs < 200, `IPv4 after a refused IPv6 took ${r.tcpMs} ms`);
    process.stderr.write(
      `# happy eyeballs, IPv6 refused: TCP ${r.tcpMs.toFixed(1)} ms, connected ${r.totalMs.toFixed(0)} ms\n`,
    );
    await r.session.disconnect();
  });

  test('IPv6 blackholed (SYNs dropped): IPv4 at 250 ms, TCP up within 300 ms, the IPv6 attempt cancelled', async () => {
    const figures: number[] = [];
    for (let i = 0; i < 5; i++) {
      await v6.setPaths({ ipv6: 'dropped', ipv4: 'open' });
      const r = await connect();
      assert.ok(r.outcome.ok, r.transcript);
      assert.match(r.race, /no answer yet \(cancelled\)/, r.transcript);
      assert.ok(r.outcome.ok && r.outcome.info.server?.address === server.host, 'the status names the address in use');
      assert.match(r.race, new RegExp(`${server.host.replace(/\./g, '\\.')} \\+25\\d ms connected`), r.transcript);
      assert.ok(
        r.tcpMs <= 300,
        `TCP over IPv4 after a blackholed IPv6 took ${r.tcpMs} ms (limit 300)\n${r.transcript}`,
      );
      figures.push(r.tcpMs);
      await r.session.disconnect();
    }
    figures.sort((a, b) => a - b);
    process.stderr.write(
      `# happy eyeballs, IPv6 blackholed: TCP up after ${figures.map((f) => f.toFixed(1)).join(', ')} ms (median ${figures[2]?.toFixed(1)})\n`,
    );
  });
});
