// An established tunnel's life: ordering of CALL_CONNECTED against IPCP, traffic through it,
// keepalives both ways, and the clean disconnect handshake.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../main/engine/clock.js';
import { pingOnce } from '../../../main/engine/packet/ping.js';
import { PPP_IPCP } from '../../../main/engine/ppp/protocols.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, explain, newClient, withPeer } from './helpers.js';

describe('an established tunnel', () => {
  after(() => assertNothingLeftOpen());

  test("CALL_CONNECTED precedes the client's IPCP even when the server starts IPCP right after authentication", async () => {
    const peer = await startStrictPeer({ binding: { holdNcpUntilCallConnected: false } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      const order = peer.events.filter(
        (e) =>
          (e.kind === 'sstp-received' && e.message === 'CALL_CONNECTED') ||
          (e.kind === 'ppp-received' && e.protocol === PPP_IPCP),
      );
      assert.equal(order[0]?.kind, 'sstp-received', explain(peer, client));
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('a ping to the peer address through the tunnel is answered', async () => {
    const peer = await startStrictPeer();
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal(outcome.info.ipv4.peer, peer.script.ipcp.serverAddress);
      const ping = await pingOnce(
        client.session,
        systemClock,
        outcome.info.ipv4.local,
        peer.script.ipcp.serverAddress,
        3_000,
      );
      assert.ok(ping.ok, ping.ok ? '' : ping.reason);
      assert.equal(ping.from, peer.script.ipcp.serverAddress);
      assert.deepEqual(peer.all('icmp-echo'), [
        { kind: 'icmp-echo', from: peer.script.ipcp.clientAddress, to: peer.script.ipcp.serverAddress, answered: true },
      ]);
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('clean disconnect: LCP Terminate, then CALL_DISCONNECT, acknowledged; closed resolves null', async () => {
    const peer = await startStrictPeer();
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      await client.session.disconnect();
      assert.equal(await client.session.closed, null);
      assert.equal(client.session.stateName, 'closed');
      const closed = await peer.waitFor('closed');
      assert.equal(closed.reason, 'client disconnected', explain(peer, client));
      const tail = peer.events.flatMap((e) => {
        if (e.kind === 'ppp-received' && /TermReq/.test(e.summary)) return ['LCP TermReq'];
        if (e.kind === 'sstp-received' && e.message === 'CALL_DISCONNECT') return [`<${e.message}`];
        if (e.kind === 'sstp-sent' && e.message === 'CALL_DISCONNECT_ACK') return [`>${e.message}`];
        return [];
      });
      assert.deepEqual(tail, ['LCP TermReq', '<CALL_DISCONNECT', '>CALL_DISCONNECT_ACK']);
      assert.deepEqual(peer.violations, [], explain(peer, client));
      assert.equal(client.session.sendIp(Buffer.alloc(28)), false, 'nothing is sent after close');
    });
  });

  test("the server's SSTP and LCP echoes are answered", async () => {
    const peer = await startStrictPeer({ sstp: { echoIntervalMs: 30, lcpEchoIntervalMs: 30 } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      await peer.waitFor('sstp-received', (e) => e.message === 'ECHO_RESPONSE');
      await peer.waitFor('ppp-received', (e) => e.summary === 'LCP EchoRep');
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test("the client's own keepalives: an SSTP echo after a quiet hello interval, answered by the peer", async () => {
    const peer = await startStrictPeer();
    await withPeer(peer, async () => {
      const client = newClient(peer, { deps: { sstpTimers: { helloIntervalMs: 200 }, lcpEchoIntervalMs: 200 } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      await peer.waitFor('sstp-received', (e) => e.message === 'ECHO_REQUEST');
      await peer.waitFor('ppp-received', (e) => e.summary === 'LCP EchoReq');
      // Answered echoes keep the tunnel up across several intervals.
      await peer.waitFor(
        'sstp-received',
        () => peer.all('sstp-received').filter((e) => e.message === 'ECHO_REQUEST').length >= 3,
      );
      assert.equal(client.session.stateName, 'connected', explain(peer, client));
      await client.session.disconnect();
      assert.equal(await client.session.closed, null);
    });
  });

  test('a silent peer is declared dead by LCP echo when the SSTP hello interval is long', async () => {
    const peer = await startStrictPeer({ faults: [{ at: 'ipcp-opened', action: { kind: 'silence' } }] });
    await withPeer(peer, async () => {
      const client = newClient(peer, { deps: { lcpEchoIntervalMs: 100, sstpTimers: { abortMs: 100 } } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      const closed = await client.session.closed;
      assert.equal(closed?.code, 'dead-peer', explain(peer, client));
      await peer.waitFor('closed');
    });
  });
});
