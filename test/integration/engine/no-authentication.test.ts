// A server that asks for no authentication (its LCP request carries no Authentication-Protocol):
// refused by default with advice, allowed only when the profile opts in. The strict peer plays it
// with an empty method list.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry } from '../../../main/engine/log.js';
import { SstpSession } from '../../../main/engine/session.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import {
  assertNothingLeftOpen,
  explain,
  FAST_TIMERS,
  failureOf,
  newClient,
  sessionConfig,
  withPeer,
} from './helpers.js';

describe('a server that asks for no authentication', () => {
  after(() => assertNothingLeftOpen());

  test('is refused by default: auth-method-refused in phase auth, with advice, and no CALL_CONNECTED', async () => {
    const peer = await startStrictPeer({ auth: { methods: [] } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['mschapv2', 'eap-mschapv2'] });
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'auth-method-refused', explain(peer, client, outcome));
      assert.equal(f.phase, 'auth');
      assert.match(f.message, /no authentication at all/);
      assert.match(f.message, /allow it in the profile/);
      await peer.waitFor('lcp-opened-without-auth');
      // The server is told why (CALL_ABORT) and never gets the binding that would start the tunnel.
      await peer.waitFor('sstp-received', (e) => e.message === 'CALL_ABORT');
      assert.equal(peer.all('call-connected').length, 0, explain(peer, client));
      assert.equal(peer.all('ipcp-opened').length, 0);
    });
  });

  test('with allowNoAuthentication the client carries on to CALL_CONNECTED (the explicit opt-in)', async () => {
    const peer = await startStrictPeer({ auth: { methods: [] }, binding: { mode: 'record' } });
    await withPeer(peer, async () => {
      const logs: LogEntry[] = [];
      const session = new SstpSession(
        { ...sessionConfig(peer), allowNoAuthentication: true },
        { ...FAST_TIMERS, log: (e) => logs.push(e) },
      );
      const connecting = session.connect();
      await peer.waitFor('lcp-opened-without-auth');
      const bound = await peer.waitFor('call-connected');
      assert.ok(bound, logs.map((l) => l.message).join('\n'));
      assert.ok(
        logs.some((l) => /asked for no authentication/.test(l.message)),
        'the client says so in its log',
      );
      await session.disconnect();
      const outcome = await connecting;
      if (!outcome.ok) assert.notEqual(outcome.failure.code, 'auth-method-refused');
    });
  });
});
