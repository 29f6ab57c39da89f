// Table: what IPCP may assign and still give a working tunnel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIpcpAssignment } from '../../../../main/engine/ppp/ipcp-addresses.js';

const CASES: readonly { local: string; peer: string | null; server?: string; fails?: RegExp }[] = [
  { local: '192.168.30.10', peer: '192.168.30.1' },
  { local: '10.77.0.2', peer: null },
  { local: '127.0.0.2', peer: '10.0.0.1', fails: /127\.0\.0\.2 to this computer, which is a loopback address/ },
  { local: '0.0.0.0', peer: '10.0.0.1', fails: /the unspecified address/ },
  { local: '255.255.255.255', peer: '10.0.0.1', fails: /the broadcast address/ },
  { local: '224.0.0.251', peer: '10.0.0.1', fails: /a multicast address/ },
  { local: '240.0.0.1', peer: '10.0.0.1', fails: /a reserved address/ },
  {
    local: '198.51.100.7',
    peer: '10.0.0.1',
    server: '198.51.100.7',
    fails: /the server's own address: the tunnel would capture its own connection/,
  },
  {
    local: '10.0.0.2',
    peer: '127.0.0.1',
    fails: /announced 127\.0\.0\.1 as its tunnel address, which is a loopback address/,
  },
  { local: '10.0.0.2', peer: '239.1.2.3', fails: /a multicast address/ },
];

test('assignments that cannot work fail with a reason naming the address; usable ones pass', () => {
  for (const c of CASES) {
    const r = checkIpcpAssignment({ local: c.local, peer: c.peer, dns: [] }, c.server);
    if (c.fails) {
      assert.equal(r.ok, false, JSON.stringify(c));
      if (!r.ok) assert.match(r.message, c.fails);
    } else assert.equal(r.ok, true, JSON.stringify(c));
  }
});

test('unusable DNS servers are dropped (and reported), usable ones kept in order', () => {
  const r = checkIpcpAssignment(
    { local: '10.0.0.2', peer: '10.0.0.1', dns: ['10.0.0.53', '127.0.0.1', '0.0.0.0', '224.0.0.1', '10.0.0.54'] },
    undefined,
  );
  assert.ok(r.ok);
  assert.deepEqual(r.dns, ['10.0.0.53', '10.0.0.54']);
  assert.deepEqual(r.droppedDns, ['127.0.0.1', '0.0.0.0', '224.0.0.1']);
});

test("the client's own LAN gateway is refused as our address and as the server's end, naming it", () => {
  const gateways = ['192.168.1.1', '10.0.0.1'];
  const mine = checkIpcpAssignment({ local: '192.168.1.1', peer: '172.16.0.1', dns: [] }, undefined, gateways);
  assert.equal(mine.ok, false);
  if (!mine.ok) assert.match(mine.message, /assigned 192\.168\.1\.1 .*the gateway of your own network/);
  const peer = checkIpcpAssignment({ local: '10.0.0.7', peer: '10.0.0.1', dns: [] }, undefined, gateways);
  assert.equal(peer.ok, false);
  if (!peer.ok)
    assert.match(peer.message, /announced 10\.0\.0\.1 .*gateway of your own network.*connection to the VPN server/);
  // Same subnet as the LAN but not its gateway: allowed (the routes decide, not the check).
  assert.equal(
    checkIpcpAssignment({ local: '192.168.1.50', peer: '192.168.1.51', dns: [] }, undefined, gateways).ok,
    true,
  );
  // No gateways known (not Linux, or none): as before.
  assert.equal(checkIpcpAssignment({ local: '192.168.1.1', peer: null, dns: [] }, undefined).ok, true);
});
