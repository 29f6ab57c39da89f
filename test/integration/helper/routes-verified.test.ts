// Root: the real helper and the kernel's own "File exists". Another VPN (a veth here: the kernel has no dummy module) owns
// 0.0.0.0/1 and 128.0.0.0/1 the way OpenVPN's def1 does, and its own subnet: a split route that is
// exactly its prefix must not report success while capturing nothing, and it must leave the other
// VPN's routes alone. (A full tunnel beside it wins through its own table: routes-table.test.ts.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { HelperClient, HelperError } from '../../../main/helper/client/client.js';
import { addUplink, createNetns, deleteNetns, helperIn, IP, isRoot, linkNames, routeTable } from './netns.js';

const NS = 'cwt-routes';

describe('routes are verified, not assumed (root, netns)', { skip: isRoot() ? false : 'needs root' }, () => {
  after(() => deleteNetns(NS));

  test(
    "another VPN's prefix: set-routes fails with a reason, nothing of ours stays, theirs are untouched",
    { timeout: 30_000 },
    async () => {
      createNetns(NS);
      addUplink(NS);
      const ip = (...args: string[]) => execFileSync(IP, ['-n', NS, ...args], { encoding: 'utf8' });
      ip('link', 'add', 'othervpn0', 'type', 'veth', 'peer', 'name', 'othervpn1');
      ip('link', 'set', 'othervpn1', 'up');
      ip('addr', 'add', '10.8.0.2/24', 'dev', 'othervpn0');
      ip('link', 'set', 'othervpn0', 'up');
      ip('route', 'add', '0.0.0.0/1', 'dev', 'othervpn0');
      ip('route', 'add', '128.0.0.0/1', 'dev', 'othervpn0');
      const theirs = routeTable(NS);

      const client = await HelperClient.start(helperIn(NS), {});
      try {
        await client.createTun({ name: 'cwt-rt0', uid: 0 });
        await client.configure({ name: 'cwt-rt0', address: '10.99.0.1', peer: '10.99.0.2', mtu: 1400 });
        await assert.rejects(
          client.setRoutes({ name: 'cwt-rt0', mode: 'split', routes: ['10.8.0.0/24'], serverAddress: '198.51.100.7' }),
          (e: unknown) =>
            e instanceof HelperError &&
            /10\.8\.0\.0\/24 is already taken through othervpn0 \(another VPN\?\)/.test(e.message),
        );
        const table = routeTable(NS);
        assert.equal(/dev cwt-rt0/.test(table.replace(/^.*proto kernel.*$/gm, '')), false, table);
        assert.equal(table.includes('198.51.100.7'), false, `the server route was rolled back:\n${table}`);
        for (const r of ['0.0.0.0/1 dev othervpn0', '128.0.0.0/1 dev othervpn0'])
          assert.ok(table.includes(r), `${r} still there:\n${table}`);

        // Split routes that do not overlap the other VPN still work beside it.
        await client.setRoutes({
          name: 'cwt-rt0',
          mode: 'split',
          routes: ['10.50.0.0/16'],
          serverAddress: '198.51.100.7',
        });
        assert.ok(routeTable(NS).includes('10.50.0.0/16 dev cwt-rt0'));
      } finally {
        await client.close();
      }
      assert.ok(!linkNames(NS).includes('cwt-rt0'));
      assert.equal(routeTable(NS), theirs, 'after teardown the table is exactly as the other VPN left it');
    },
  );
});
