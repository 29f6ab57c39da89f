// The peer misbehaving on purpose: refusals, garbage, silence, aborts, disconnects and drops. Each
// must end in one typed failure, promptly, with nothing left running.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MalformedKind } from '../../peers/script.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, explain, failureOf, newClient, withPeer } from './helpers.js';

describe('faults injected by the peer', () => {
  after(() => assertNothingLeftOpen());

  test('CALL_CONNECT_NAK twice, then accepted: the client retries and connects', async () => {
    const peer = await startStrictPeer({ sstp: { naks: 2 } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal(peer.all('sstp-received').filter((e) => e.message === 'CALL_CONNECT_REQUEST').length, 3);
      assert.deepEqual(peer.violations, []);
      await client.session.disconnect();
    });
  });

  test('CALL_CONNECT_NAK every time: the client gives up after 3 retries (sstp-negotiation-failed)', async () => {
    const peer = await startStrictPeer({ sstp: { naks: Infinity } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'sstp-negotiation-failed', explain(peer, client, outcome));
      assert.equal(f.phase, 'sstp');
      assert.equal(peer.all('sstp-received').filter((e) => e.message === 'CALL_CONNECT_REQUEST').length, 4);
      const abort = await peer.waitFor('sstp-received', (e) => e.message === 'CALL_ABORT');
      assert.equal(abort.status, 6, 'RETRY_COUNT_EXCEEDED');
      await peer.waitFor('closed');
    });
  });

  const MALFORMED: readonly { readonly which: MalformedKind; readonly field: RegExp }[] = [
    { which: 'bad-version', field: /version/ },
    { which: 'short-length', field: /length/ },
    { which: 'bad-attribute-list', field: /attribute\[0\]\.length/ },
    { which: 'truncated-control', field: /8-byte control header/ },
  ];
  for (const m of MALFORMED) {
    test(`a malformed frame (${m.which}) during negotiation is a protocol-error naming the field`, async () => {
      const peer = await startStrictPeer({
        faults: [{ at: 'lcp-opened', action: { kind: 'malformed', which: m.which } }],
      });
      await withPeer(peer, async () => {
        const client = newClient(peer);
        const outcome = await client.session.connect();
        const f = failureOf(peer, client, outcome);
        assert.equal(f.code, 'protocol-error', explain(peer, client, outcome));
        assert.match(f.detail ?? '', m.field, explain(peer, client, outcome));
        assert.notEqual(await client.session.closed, null);
        await peer.waitFor('closed');
      });
    });
  }

  test('a malformed frame in an established tunnel closes it with protocol-error', async () => {
    const peer = await startStrictPeer({
      faults: [{ at: 'ipcp-opened', afterMs: 20, action: { kind: 'malformed', which: 'bad-attribute-list' } }],
    });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      const closed = await client.session.closed;
      assert.equal(closed?.code, 'protocol-error', explain(peer, client));
      await peer.waitFor('closed');
    });
  });

  test('a peer that falls silent is declared dead after one unanswered SSTP echo', async () => {
    const peer = await startStrictPeer({ faults: [{ at: 'ipcp-opened', action: { kind: 'silence' } }] });
    await withPeer(peer, async () => {
      const client = newClient(peer, { deps: { sstpTimers: { helloIntervalMs: 150, abortMs: 100 } } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      const closed = await client.session.closed;
      assert.equal(closed?.code, 'dead-peer', explain(peer, client));
      // Testimony of the silent peer: exactly one ECHO_REQUEST, then the client gave up.
      await peer.waitFor('sstp-received', (e) => e.message === 'CALL_ABORT');
      const heard = peer
        .all('sstp-received')
        .map((e) => e.message)
        .filter((m) => m === 'ECHO_REQUEST' || m === 'CALL_ABORT');
      assert.deepEqual(heard, ['ECHO_REQUEST', 'CALL_ABORT'], explain(peer, client));
      await peer.waitFor('closed');
    });
  });

  test('a server that never answers SSTP echoes but keeps talking (SoftEther) is not dead', async () => {
    const peer = await startStrictPeer({ sstp: { answerEcho: false, echoIntervalMs: 30 } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { deps: { sstpTimers: { helloIntervalMs: 300 } } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      // Let the server's own echoes cover several hello intervals.
      await peer.waitFor(
        'sstp-sent',
        () => peer.all('sstp-sent').filter((e) => e.message === 'ECHO_REQUEST').length >= 30,
      );
      assert.equal(client.session.stateName, 'connected', explain(peer, client));
      assert.ok(
        peer.all('sstp-received').filter((e) => e.message === 'ECHO_RESPONSE').length >= 1,
        "the client answers the server's echoes",
      );
      await client.session.disconnect();
      assert.equal(await client.session.closed, null);
    });
  });

  test('CALL_ABORT from the peer during negotiation is peer-abort', async () => {
    const peer = await startStrictPeer({
      faults: [{ at: 'lcp-opened', action: { kind: 'abort', status: 'NEGOTIATION_TIMEOUT' } }],
    });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'peer-abort', explain(peer, client, outcome));
      assert.match(f.detail ?? '', /NEGOTIATION_TIMEOUT/);
      // MS-SSTP: the client answers an abort with its own.
      await peer.waitFor('sstp-received', (e) => e.message === 'CALL_ABORT');
      await peer.waitFor('closed');
    });
  });

  test('CALL_ABORT from the peer in an established tunnel closes it with peer-abort', async () => {
    const peer = await startStrictPeer({
      faults: [{ at: 'ipcp-opened', afterMs: 20, action: { kind: 'abort', status: 'NO_ERROR' } }],
    });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal((await client.session.closed)?.code, 'peer-abort', explain(peer, client));
      await peer.waitFor('closed');
    });
  });

  test('CALL_DISCONNECT from the peer is acknowledged and reported as peer-disconnect', async () => {
    const peer = await startStrictPeer({
      faults: [{ at: 'ipcp-opened', afterMs: 20, action: { kind: 'disconnect' } }],
    });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal((await client.session.closed)?.code, 'peer-disconnect', explain(peer, client));
      await peer.waitFor('sstp-received', (e) => e.message === 'CALL_DISCONNECT_ACK');
      assert.deepEqual(peer.violations, []);
      await peer.waitFor('closed');
    });
  });

  test('the peer dropping TCP mid-negotiation is connection-lost, not a hang', async () => {
    const peer = await startStrictPeer({ faults: [{ at: 'connect-ack', action: { kind: 'drop' } }] });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'connection-lost', explain(peer, client, outcome));
    });
  });

  test('the peer dropping TCP in an established tunnel closes the session with connection-lost', async () => {
    const peer = await startStrictPeer({ faults: [{ at: 'ipcp-opened', afterMs: 20, action: { kind: 'drop' } }] });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal((await client.session.closed)?.code, 'connection-lost', explain(peer, client));
    });
  });

  test('HTTP 404 from the server is http-refused', async () => {
    const peer = await startStrictPeer({ http: { status: 404, contentLength: '0' } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'http-refused', explain(peer, client, outcome));
      assert.equal(f.phase, 'http');
      assert.deepEqual(peer.violations, [], 'the request itself was correct');
    });
  });

  test('a server silent after the call is accepted hits the negotiation timeout', async () => {
    const peer = await startStrictPeer({ faults: [{ at: 'connect-ack', action: { kind: 'silence' } }] });
    await withPeer(peer, async () => {
      const client = newClient(peer, { deps: { negotiationTimeoutMs: 400, sstpTimers: { abortMs: 100 } } });
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'negotiation-timeout', explain(peer, client, outcome));
      assert.equal(f.phase, 'lcp');
      await peer.waitFor('closed');
    });
  });

  test('CALL_CONNECT_ACK offering no hash the client knows is sstp-negotiation-failed', async () => {
    const peer = await startStrictPeer({ sstp: { hashBitmask: 0x04 } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'sstp-negotiation-failed', explain(peer, client, outcome));
      assert.deepEqual(peer.all('call-connected'), []);
      await peer.waitFor('closed');
    });
  });
});
