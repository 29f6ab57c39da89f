// The network watcher's parsers (ip -j route get, recorded from iproute2 6.1) and its reading of
// bursts on the manual clock, with a scripted `ip monitor` and a scripted route table.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { ManualClock } from '../../../../main/engine/clock.js';
import { watchNetwork, type NetworkChange } from '../../../../main/services/system/network-watch.js';
import { describePath, parseRouteGet, type RoutePath } from '../../../../main/services/system/route-path.js';

describe('parseRouteGet', () => {
  it('a route through a gateway, an on-link one, and a local address', () => {
    assert.deepEqual(
      parseRouteGet(
        '[{"dst":"10.1.2.3","gateway":"192.0.2.1","dev":"eth0","prefsrc":"192.0.2.2","flags":[],"uid":0,"cache":[]}]\n',
        '',
        0,
      ),
      { reachable: true, dev: 'eth0', gateway: '192.0.2.1', src: '192.0.2.2' },
    );
    assert.deepEqual(
      parseRouteGet(
        '[{"dst":"10.210.3.1","dev":"cwc3-c","prefsrc":"10.210.3.2","flags":[],"uid":0,"cache":[]}]',
        '',
        0,
      ),
      { reachable: true, dev: 'cwc3-c', src: '10.210.3.2' },
    );
    assert.equal(
      parseRouteGet('[{"type":"local","dst":"127.0.0.1","dev":"lo","prefsrc":"127.0.0.1"}]', '', 0).reachable,
      true,
    );
  });
  it('no route, routes that drop or refuse, and unreadable output are unreachable, with why', () => {
    assert.deepEqual(parseRouteGet('', 'RTNETLINK answers: Network is unreachable\n', 2), {
      reachable: false,
      why: 'Network is unreachable',
    });
    for (const type of ['blackhole', 'unreachable', 'prohibit'])
      assert.deepEqual(parseRouteGet(`[{"type":"${type}","dst":"10.0.0.1","flags":[]}]`, '', 0), {
        reachable: false,
        why: `${type} route`,
      });
    for (const out of ['', 'not json', '[]', '{}', '[null]', '[{"dst":"10.0.0.1"}]', '[{"dev":42}]'])
      assert.equal(parseRouteGet(out, '', 0).reachable, false, out);
  });
  it('describePath: one comparable line per address', () => {
    assert.equal(
      describePath('10.0.0.1', { reachable: true, dev: 'wlan0', gateway: '192.168.1.1', src: '192.168.1.7' }),
      '10.0.0.1: dev wlan0 via 192.168.1.1 src 192.168.1.7',
    );
    assert.equal(describePath('10.0.0.1', { reachable: false, why: 'x' }), '10.0.0.1: unreachable');
  });
});

function scripted() {
  const stdout = new PassThrough();
  const child = Object.assign(new EventEmitter(), {
    stdout,
    exitCode: null as number | null,
    signalCode: null as string | null,
    kill: () => true,
  });
  return child;
}

async function flush() {
  for (let i = 0; i < 10; i++) await tick();
}

describe('watchNetwork', () => {
  const onLink: RoutePath = { reachable: true, dev: 'eth0', src: '10.0.0.2' };
  const viaWifi: RoutePath = { reachable: true, dev: 'wlan0', gateway: '192.168.1.1', src: '192.168.1.7' };

  it('reads the path once after a burst settles, and reports only real changes of it', async () => {
    const clock = new ManualClock();
    const child = scripted();
    let table: RoutePath = onLink;
    let reads = 0;
    const changes: NetworkChange[] = [];
    const spawned: string[][] = [];
    const w = watchNetwork({
      addresses: ['10.0.0.1'],
      clock,
      onChange: (c) => changes.push(c),
      spawn: (file, args) => {
        spawned.push([file, ...args]);
        return child as unknown as ChildProcess;
      },
      routeGet: async () => {
        reads++;
        return table;
      },
    });
    assert.deepEqual(spawned, [['ip', 'monitor', 'route', 'address']]);
    assert.equal((await w.ready).reachable, true);
    assert.equal(reads, 1, 'the baseline');

    // A link going down: several lines in one burst, one reading after 150 ms of quiet.
    table = { reachable: false, why: 'Network is unreachable' };
    child.stdout.write('Deleted 10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2\n');
    await flush();
    clock.advance(100);
    child.stdout.write('Deleted default via 10.0.0.254 dev eth0\nDeleted local 10.0.0.2 dev eth0 table local\n');
    await flush();
    clock.advance(149);
    await flush();
    assert.equal(reads, 1);
    clock.advance(1);
    await flush();
    assert.equal(reads, 2);
    assert.deepEqual(changes, [{ reachable: false, paths: ['10.0.0.1: unreachable'] }]);

    // Unrelated churn that leaves the path as it was: read, not reported.
    child.stdout.write('local 10.99.0.1 dev lo table local proto kernel scope host src 10.99.0.1\n');
    await flush();
    clock.advance(150);
    await flush();
    assert.equal(reads, 3);
    assert.equal(changes.length, 1);

    // Wi-Fi comes up: a new path.
    table = viaWifi;
    child.stdout.write('default via 192.168.1.1 dev wlan0\n');
    await flush();
    clock.advance(150);
    await flush();
    assert.deepEqual(changes.at(-1), {
      reachable: true,
      paths: ['10.0.0.1: dev wlan0 via 192.168.1.1 src 192.168.1.7'],
    });
    w.stop();
    assert.equal(clock.pending, 0);
  });

  it('several server addresses: reachable while any one has a route', async () => {
    const clock = new ManualClock();
    const child = scripted();
    const routes = new Map<string, RoutePath>([
      ['10.0.0.1', onLink],
      ['2001:db8::1', { reachable: false, why: 'no route' }],
    ]);
    const changes: NetworkChange[] = [];
    const w = watchNetwork({
      addresses: ['10.0.0.1', '2001:db8::1'],
      clock,
      onChange: (c) => changes.push(c),
      spawn: () => child as unknown as ChildProcess,
      routeGet: async (a) => routes.get(a) ?? { reachable: false, why: '?' },
    });
    await w.ready;
    routes.set('10.0.0.1', { reachable: false, why: 'no route' });
    routes.set('2001:db8::1', { reachable: true, dev: 'eth0', gateway: 'fe80::1' });
    child.stdout.write('Deleted default via 10.0.0.254 dev eth0\n');
    await flush();
    clock.advance(150);
    await flush();
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.reachable, true);
    w.stop();
  });
});
