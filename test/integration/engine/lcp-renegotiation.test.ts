// A server renegotiating LCP in the middle of the session (strict peer fault 'lcp-renegotiate' after
// IPCP opened): the client answers per RFC 1661 (tld, scr, sca → Ack-Sent → Opened), keeps the
// tunnel, and traffic crosses after. Also with the client's LCP echo running, and twice in a row.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../main/engine/clock.js';
import { pingOnce } from '../../../main/engine/packet/ping.js';
import { PPP_LCP } from '../../../main/engine/ppp/protocols.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, explain, newClient, withPeer } from './helpers.js';

describe('LCP renegotiation mid-session', () => {
  after(() => assertNothingLeftOpen());

  test('the server sends a new LCP Configure-Request after IPCP opened: the tunnel stays up and a ping crosses', async () => {
    const peer = await startStrictPeer({
      faults: [
        { at: 'ipcp-opened', afterMs: 200, action: { kind: 'lcp-renegotiate' } },
        { at: 'ipcp-opened', afterMs: 900, action: { kind: 'lcp-renegotiate' } },
      ],
    });
    await withPeer(peer, async () => {
      const client = newClient(peer, { deps: { lcpEchoIntervalMs: 1_000 } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      await peer.waitFor('lcp-renegotiated');
      // The second renegotiation too.
      await new Promise((r) => setTimeout(r, 1_200));
      assert.equal(peer.all('lcp-renegotiated').length, 2, explain(peer, client));
      assert.equal(client.session.stateName, 'connected', explain(peer, client));
      const ping = await pingOnce(
        client.session,
        systemClock,
        outcome.info.ipv4.local,
        peer.script.ipcp.serverAddress,
        3_000,
      );
      assert.ok(ping.ok, `${JSON.stringify(ping)}\n${explain(peer, client)}`);
      // Per RFC 1661 the client sent its own Configure-Request again (scr) for each renegotiation.
      const clientRequests = peer
        .all('ppp-received')
        .filter((e) => e.protocol === PPP_LCP && /ConfReq/.test(e.summary));
      assert.equal(clientRequests.length, 3, explain(peer, client));
      // Authentication and IPCP were not run again.
      assert.equal(peer.all('auth-result').length, 1);
      assert.equal(peer.all('ipcp-opened').length, 1);
      assert.match(client.transcript(), /renegotiated by the server with the same settings/);
      assert.deepEqual(peer.violations, []);
      await client.session.disconnect();
      assert.equal(await client.session.closed, null);
    });
  });
});
