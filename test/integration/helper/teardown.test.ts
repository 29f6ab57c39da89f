// Root: the real helper in a network namespace (and a private mount namespace for resolv.conf).
// Whatever way its session ends, the TUN, its routes, the server route and resolv.conf are back
// to how they were within 2 s.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HelperClient, HelperError } from '../../../main/helper/client/client.js';
import type { LaunchSpec } from '../../../main/helper/client/launch.js';
import {
  addUplink,
  createNetns,
  deleteNetns,
  helperIn,
  isRoot,
  linkNames,
  privateResolvConf,
  allTables,
  waitFor,
} from './netns.js';

const NS = 'cwt-helper';
const ORIGINAL_RESOLV = 'nameserver 192.0.2.53\noptions ndots:2\n';
const hostResolvConf = readFileSync('/etc/resolv.conf', 'utf8');
let dir = '';
let resolvFile = '';

function freshNamespace(): void {
  createNetns(NS);
  addUplink(NS);
  writeFileSync(resolvFile, ORIGINAL_RESOLV);
}

function spec(): LaunchSpec {
  return helperIn(NS, privateResolvConf(resolvFile));
}

async function bringUp(client: HelperClient): Promise<void> {
  assert.deepEqual(await client.createTun({ name: 'cwt-td0', uid: 0 }), { name: 'cwt-td0' });
  await client.configure({ name: 'cwt-td0', address: '10.99.0.1', peer: '10.99.0.2', mtu: 1400 });
  const routes = await client.setRoutes({
    name: 'cwt-td0',
    mode: 'full',
    routes: ['10.50.0.0/16'],
    serverAddress: '198.51.100.7',
  });
  assert.deepEqual(routes.serverRoute, { destination: '198.51.100.7/32', gateway: '192.168.77.1', dev: 'cwt-up0' });
  assert.deepEqual(await client.setDns({ name: 'cwt-td0', servers: ['10.99.0.53'], searchDomains: ['corp.example'] }), {
    method: 'resolv.conf',
  });
  assertUp();
}

function assertUp(): void {
  assert.ok(linkNames(NS).includes('cwt-td0'));
  const table = allTables(NS);
  for (const r of [
    // The full tunnel's catch-all in its own table (policy-rules.ts), behind a rule pair before main.
    /^default dev cwt-td0 table \d+/m,
    /^300\d\d:\s+from all lookup main suppress_prefixlength 1/m,
    /^300\d\d:\s+from all lookup \d{5,}/m,
    /^10\.50\.0\.0\/16 dev cwt-td0/m,
    /^198\.51\.100\.7 via 192\.168\.77\.1 dev cwt-up0/m,
    // Full tunnel and no IPv6 from the server: IPv6 is blocked so it cannot go around the tunnel.
    /^unreachable default dev lo table \d+/m,
  ]) {
    assert.match(table, r);
  }
  assert.match(readFileSync(resolvFile, 'utf8'), /^nameserver 10\.99\.0\.53$/m);
  assert.equal(readFileSync('/etc/resolv.conf', 'utf8'), hostResolvConf, 'the machine resolver is untouched');
}

function isClean(): boolean {
  const table = allTables(NS);
  return (
    !linkNames(NS).includes('cwt-td0') &&
    !table.includes('cwt-td0') &&
    !table.includes('198.51.100.7') &&
    !table.includes('unreachable') &&
    !/^300\d\d:/m.test(table) &&
    table.includes('default via 192.168.77.1 dev cwt-up0') &&
    readFileSync(resolvFile, 'utf8') === ORIGINAL_RESOLV
  );
}

describe('helper teardown (root, netns)', { skip: isRoot() ? false : 'needs root' }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cwt-helper-'));
    resolvFile = join(dir, 'resolv.conf');
  });
  after(() => {
    deleteNetns(NS);
    rmSync(dir, { recursive: true, force: true });
  });

  test('teardown verb undoes everything before it answers', async () => {
    freshNamespace();
    const client = await HelperClient.start(spec());
    try {
      await bringUp(client);
      // TUN, address, server route, split route, DNS, and per family the rule pair and the table's route.
      assert.deepEqual(await client.teardown(), { undone: 11, failed: 0 });
      assert.ok(isClean(), allTables(NS));
    } finally {
      await client.close();
    }
  });

  test('closing its stdin (the parent went away) tears down within 2 s', async () => {
    freshNamespace();
    const client = await HelperClient.start(spec());
    await bringUp(client);
    const exit = client.close(5000);
    const ms = await waitFor('clean after stdin closed', isClean);
    assert.deepEqual(await exit, { code: 0, signal: null });
    assert.ok(ms < 2000);
  });

  test('SIGTERM tears down within 2 s', async () => {
    freshNamespace();
    const client = await HelperClient.start(spec());
    await bringUp(client);
    // unshare → sh exec → ip netns exec → node all exec in place: the child pid is the helper.
    process.kill(client.pid ?? 0, 'SIGTERM');
    await waitFor('clean after SIGTERM', isClean);
    assert.deepEqual(await client.exited(), { code: 0, signal: null });
  });

  test("SIGKILL of the helper's parent tears down within 2 s", async () => {
    freshNamespace();
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'helper-parent.ts'), JSON.stringify(spec()), 'dns'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const ready = await new Promise<{ helperPid: number }>((resolve, reject) => {
      parent.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as { helperPid: number }));
      parent.once('exit', (code) => reject(new Error(`parent exited ${code}`)));
    });
    assertUp();
    parent.kill('SIGKILL');
    await waitFor('clean after the parent was killed', isClean);
    await waitFor('helper exited', () => {
      try {
        process.kill(ready.helperPid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });

  test('SIGKILL of the helper itself: the next helper undoes the leftovers on start', async () => {
    freshNamespace();
    const first = await HelperClient.start(helperIn(NS));
    await first.createTun({ name: 'cwt-td0', uid: 0 });
    await first.configure({ name: 'cwt-td0', address: '10.99.0.1', peer: '10.99.0.2', mtu: 1400 });
    await first.setRoutes({ name: 'cwt-td0', mode: 'full', routes: [], serverAddress: '198.51.100.7' });
    process.kill(first.pid ?? 0, 'SIGKILL');
    await first.exited();
    assert.ok(linkNames(NS).includes('cwt-td0'), 'a killed helper cannot clean up after itself');
    const second = await HelperClient.start(helperIn(NS));
    try {
      assert.ok(isClean(), allTables(NS));
    } finally {
      await second.close();
    }
  });

  test('typed errors from the real process', async () => {
    freshNamespace();
    const client = await HelperClient.start(spec());
    try {
      await assert.rejects(
        client.configure({ name: 'cwt-td0', address: '10.0.0.1;reboot', peer: '10.0.0.2', mtu: 1400 }),
        (e: unknown) => {
          return e instanceof HelperError && e.code === 'invalid' && /address/.test(e.message);
        },
      );
      await assert.rejects(
        client.configure({ name: 'cwt-up0', address: '10.0.0.1', peer: '10.0.0.2', mtu: 1400 }),
        (e: unknown) => {
          return e instanceof HelperError && e.code === 'refused';
        },
      );
      await assert.rejects(
        client.createTun({ name: 'cwt-up0', uid: 0 }),
        (e: unknown) => e instanceof HelperError && e.code === 'refused',
      );
      assert.equal((await client.hello()).uid, 0);
    } finally {
      await client.close();
    }
    await assert.rejects(client.hello(), (e: unknown) => e instanceof HelperError && e.code === 'exited');
  });
});
