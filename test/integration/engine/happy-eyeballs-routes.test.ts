// Root, real kernel: the helper keeps every address of the server outside a full tunnel, for either
// family. A server with an AAAA and an A record (and an alternate) gets a host route through the
// uplink for each — a /128 through the IPv6 gateway, /32s through the IPv4 one — before ::/1, 8000::/1
// and the IPv4 halves go to the TUN; teardown takes them all away again.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { HelperClient } from '../../../main/helper/client/client.js';
import {
  addUplink,
  allTables,
  createNetns,
  deleteNetns,
  helperIn,
  inNetns,
  IP,
  isRoot,
  routeTable,
} from '../helper/netns.js';

const NS = 'cwt-he-routes';
const TUN = 'cwt-he0';

describe('server routes for both families (root, netns)', { skip: isRoot() ? false : 'needs root' }, () => {
  after(() => deleteNetns(NS));

  test('an IPv6 and two IPv4 server addresses each keep their path; teardown removes them', async () => {
    createNetns(NS);
    addUplink(NS);
    inNetns(NS, IP, ['-6', 'addr', 'add', 'fd00:77::2/64', 'dev', 'cwt-up0', 'nodad']);
    inNetns(NS, IP, ['-6', 'route', 'add', 'default', 'via', 'fd00:77::1', 'dev', 'cwt-up0']);
    const before = routeTable(NS);

    const client = await HelperClient.start(helperIn(NS), {});
    try {
      await client.createTun({ name: TUN, uid: 0 });
      await client.configure({
        name: TUN,
        address: '10.99.0.1',
        peer: '10.99.0.2',
        mtu: 1400,
        ipv6: { address: 'fe80::1/64' },
      });
      const r = await client.setRoutes({
        name: TUN,
        mode: 'full',
        routes: [],
        serverAddress: '2001:db8:5::7',
        serverAddresses: ['2001:db8:5::7', '198.51.100.7', '203.0.113.9'],
      });
      assert.deepEqual(r.serverRoute, { destination: '2001:db8:5::7/128', gateway: 'fd00:77::1', dev: 'cwt-up0' });
      assert.deepEqual(r.otherServerRoutes, [
        { destination: '198.51.100.7/32', gateway: '192.168.77.1', dev: 'cwt-up0' },
        { destination: '203.0.113.9/32', gateway: '192.168.77.1', dev: 'cwt-up0' },
      ]);
      const table = routeTable(NS);
      for (const line of [
        '2001:db8:5::7 via fd00:77::1 dev cwt-up0',
        '198.51.100.7 via 192.168.77.1 dev cwt-up0',
        '203.0.113.9 via 192.168.77.1 dev cwt-up0',
      ]) {
        assert.ok(table.includes(line), `${line} in\n${table}`);
      }
      // The full tunnel's catch-all is in the tunnel's own table (helper/root/policy-rules.ts), both families.
      for (const family of ['-4', '-6']) {
        const own = inNetns(NS, IP, [family, 'route', 'show', 'table', 'all', 'dev', TUN]);
        assert.match(own, /^default table \d+/m, `${family} catch-all in\n${own}`);
      }
      // What the kernel would do with a packet to each: the uplink, not the tunnel.
      for (const a of ['2001:db8:5::7', '198.51.100.7', '203.0.113.9']) {
        const got = JSON.parse(inNetns(NS, IP, ['-j', 'route', 'get', a])) as { dev: string }[];
        assert.equal(got[0]?.dev, 'cwt-up0', `${a} leaves through the uplink`);
      }
      const other = JSON.parse(inNetns(NS, IP, ['-j', 'route', 'get', '2001:db8:9::1'])) as { dev: string }[];
      assert.equal(other[0]?.dev, TUN, 'any other IPv6 address goes into the tunnel');
    } finally {
      await client.close();
    }
    assert.equal(routeTable(NS), before, 'after teardown the table is as before');
  });

  test('too many server addresses are refused by the helper before any route is touched', async () => {
    createNetns(NS);
    addUplink(NS);
    const client = await HelperClient.start(helperIn(NS), {});
    try {
      await client.createTun({ name: TUN, uid: 0 });
      await client.configure({ name: TUN, address: '10.99.0.1', peer: '10.99.0.2', mtu: 1400 });
      const many = Array.from({ length: 33 }, (_, i) => `198.51.100.${i + 1}`);
      await assert.rejects(
        client.setRoutes({ name: TUN, mode: 'full', routes: [], serverAddress: '198.51.100.1', serverAddresses: many }),
        /at most 32 server addresses/,
      );
      assert.doesNotMatch(
        allTables(NS),
        new RegExp(`^(default|\\S+/1) dev ${TUN}|lookup \\d+`, 'm'),
        'no tunnel route was added',
      );
    } finally {
      await client.close();
    }
  });
});
