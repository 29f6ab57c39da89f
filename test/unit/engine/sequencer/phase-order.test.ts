// The sequencer's phase order against a server of real codecs: HTTP → CALL_CONNECT_REQUEST/ACK →
// LCP → MS-CHAPv2 → CALL_CONNECTED (binding checked by the peer's own verifier) → IPCP → up; and
// IP through the one send path (frameIpPacket) and the receive fast path, both ways.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildEchoRequest, parseIpv4 } from '../../../../main/engine/packet/icmp.js';
import { Harness } from './harness.js';

function echoRequest(): Buffer {
  const src = parseIpv4('10.77.0.2');
  const dst = parseIpv4('10.77.0.1');
  assert.ok(src && dst);
  return buildEchoRequest(src, dst, 0x5151, 1, Buffer.from('causeway sequencer'));
}

describe('SessionSequencer phase order', () => {
  it('walks every phase in order and reports one outcome with the tunnel', () => {
    const h = new Harness().start();
    assert.deepEqual(h.phases, ['tcp', 'tls', 'http', 'sstp', 'lcp', 'auth', 'ipcp']);
    assert.equal(h.seq.stateName, 'connected');
    assert.equal(h.outcomes.length, 1);
    const o = h.outcomes[0];
    assert.ok(o?.ok, JSON.stringify(o));
    assert.deepEqual(o.info.ipv4, { local: '10.77.0.2', peer: '10.77.0.1', dns: ['10.77.0.53', '10.77.0.54'] });
    assert.equal(o.info.authMethod, 'mschapv2');
    assert.equal(o.info.peerMru, 1500);
    assert.deepEqual(o.info.server, { host: 'sstp.example.test', port: 443 });
    assert.deepEqual(
      o.info.timings.map((t) => t.phase),
      ['tcp', 'tls', 'http', 'sstp', 'lcp', 'auth', 'ipcp'],
    );
    assert.deepEqual(h.server.log.violations, [], h.server.log.summary());
    assert.deepEqual(h.closedEvents, []);
  });

  it('the server sees HTTP, the call, LCP, sign-in, a valid CALL_CONNECTED, then IPCP — in that order', () => {
    const h = new Harness().start();
    const kinds = h.server.log.events.map((e) => e.kind);
    const at = (k: string) => kinds.indexOf(k as never);
    const order = ['http-request', 'lcp-opened', 'auth-result', 'call-connected'].map(at);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      h.server.log.summary(),
    );
    assert.ok(order.every((i) => i >= 0));
    assert.deepEqual(h.server.log.all('call-connected'), [{ kind: 'call-connected', ok: true }]);
    assert.deepEqual(h.server.log.all('auth-result')[0]?.ok, true);
    const firstIpcp = h.server.log.events.findIndex((e) => e.kind === 'ppp-received' && e.protocol === 0x8021);
    assert.ok(firstIpcp > at('call-connected'), 'no IPCP before CALL_CONNECTED');
    assert.deepEqual(h.serverReceived.slice(0, 2), ['CALL_CONNECT_REQUEST', 'CALL_CONNECTED']);
  });

  it('IPv6CP opens beside IPv4 when asked for', () => {
    const h = new Harness({ config: { ipv6: true } }).start();
    assert.ok(h.events.some((e) => e.type === 'ipv4-up'));
    const v6 = h.events.find((e) => e.type === 'ipv6-up');
    assert.ok(v6 && v6.type === 'ipv6-up');
    assert.equal(h.seq.ipv6Up, true);
    assert.equal(h.seq.tunnel.ipv6Up, true);
  });

  it('IP both ways once up: sendIp frames it for the server, the reply comes back through the fast path', () => {
    const h = new Harness().start();
    const ping = echoRequest();
    assert.equal(h.seq.sendIp(ping), true);
    assert.deepEqual(h.server.ipReceived, [ping]);
    h.pump();
    assert.equal(h.ips.length, 1);
    const reply = h.ips[0] as Buffer;
    assert.equal(reply[20], 0, 'ICMP echo reply');
    assert.deepEqual(reply.subarray(16, 20), ping.subarray(12, 16), 'addressed back to us');
  });

  it('refuses IP before the tunnel is up, and IPv6 while IPv6CP is not open', () => {
    const early = new Harness({ holdAt: 'ipcp' }).start();
    assert.equal(early.seq.sendIp(echoRequest()), false);
    const before = early.server.log.events.length;
    assert.equal(early.seq.writeFramed(Buffer.from('1000000c', 'hex')), true, 'nothing to back-pressure');
    assert.equal(early.server.log.events.length, before, 'and nothing written');
    const up = new Harness().start();
    const v6 = Buffer.alloc(40);
    v6[0] = 0x60;
    assert.equal(up.seq.sendIp(v6), false);
    assert.deepEqual(up.server.ipReceived, []);
  });

  it("an IPCP address that is this computer's own gateway fails IPCP, typed (config.lanGateways)", () => {
    const h = new Harness({ config: { lanGateways: ['10.77.0.2'] } }).start();
    assert.equal(h.closedEvents.length, 1);
    assert.equal(h.closedEvents[0]?.code, 'ppp-negotiation-failed');
    assert.equal(h.closedEvents[0]?.phase, 'ipcp');
    assert.match(h.closedEvents[0]?.message ?? '', /gateway of your own network/);
    assert.equal(h.outcomes.length, 1);
    assert.equal(h.outcomes[0]?.ok, false);
  });
});
