// Ipv6Link: IPv6CP's identifier and the server's RAs turned into set-ipv6 calls, on an injected clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { LinkEvent, SessionDataPort } from '../../../../main/engine/datapath/data-port.js';
import { Ipv6Link, type Ipv6View } from '../../../../main/engine/datapath/ipv6-link.js';
import type { NetConfigurator } from '../../../../main/engine/datapath/net-configurator.js';
import { buildRouterAdvertisement } from '../../../peers/router-advertiser.js';

type SetIpv6Args = Parameters<NonNullable<NetConfigurator['setIpv6']>>[0];

function fakeSession(): SessionDataPort & { emit(e: LinkEvent): void } {
  const listeners = new Set<(e: LinkEvent) => void>();
  return {
    writeFramed: () => true,
    onDrain: () => {},
    onIpPacket: () => () => {},
    pauseReceive: () => {},
    resumeReceive: () => {},
    ipv6Up: false,
    peerMru: 1500,
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e) {
      for (const l of listeners) l(e);
    },
  };
}

function setup() {
  const calls: SetIpv6Args[] = [];
  const views: (Ipv6View | undefined)[] = [];
  const logs: string[] = [];
  const net = {
    setIpv6: (a: SetIpv6Args) => {
      calls.push(a);
      return Promise.resolve();
    },
  } as unknown as NetConfigurator;
  const clock = new ManualClock();
  const link = new Ipv6Link({
    net,
    clock,
    log: { info: (m) => logs.push(m), error: (m) => logs.push(`error: ${m}`) },
    onChange: (v) => views.push(v),
  });
  return { link, calls, views, logs, clock };
}

const ID = { localInterfaceId: '21a:2bff:fe3c:4d5e', peerInterfaceId: '1:2:3:4' };
const LL = 'fe80::21a:2bff:fe3c:4d5e/64';
const RA = buildRouterAdvertisement({
  prefixes: [{ prefix: '2001:db8:1:2::', valid: 600, preferred: 300 }],
  rdnss: { servers: ['2001:db8::53'] },
});

test('IPv6CP before IPv4: learned by watch(), applied at attach; the RA adds the SLAAC address and DNS', async () => {
  const { link, calls, views } = setup();
  const session = fakeSession();
  link.watch(session);
  session.emit({ type: 'ipv6-up', ipv6: ID });
  assert.equal(calls.length, 0, 'nothing before the TUN exists');
  link.attach('causeway0', session);
  await link.settled();
  assert.deepEqual(calls, [{ name: 'causeway0', linkLocal: LL }]);
  link.routerAdvertisement(RA);
  await link.settled();
  assert.deepEqual(calls[1], {
    name: 'causeway0',
    linkLocal: LL,
    global: { address: '2001:db8:1:2:21a:2bff:fe3c:4d5e/64', validLifetime: 600, preferredLifetime: 300 },
  });
  assert.deepEqual(views.at(-1), {
    linkLocal: LL,
    address: '2001:db8:1:2:21a:2bff:fe3c:4d5e/64',
    dns: ['2001:db8::53'],
  });
});

test('IPv6CP after IPv4 (the tunnel did not wait): applied when it opens', async () => {
  const { link, calls } = setup();
  const session = fakeSession();
  link.watch(session);
  link.attach('causeway0', session);
  assert.equal(calls.length, 0);
  session.emit({ type: 'ipv6-up', ipv6: ID });
  await link.settled();
  assert.deepEqual(calls, [{ name: 'causeway0', linkLocal: LL }]);
});

test('the address expires with its valid lifetime unless an RA renews it', async () => {
  const { link, calls, clock, views } = setup();
  const session = fakeSession();
  link.watch(session);
  session.emit({ type: 'ipv6-up', ipv6: ID });
  link.attach('causeway0', session);
  link.routerAdvertisement(RA);
  clock.advance(500_000);
  link.routerAdvertisement(RA); // renewed: 600 s from now
  clock.advance(500_000);
  await link.settled();
  assert.equal(views.at(-1)?.address, '2001:db8:1:2:21a:2bff:fe3c:4d5e/64');
  clock.advance(100_001);
  await link.settled();
  assert.equal(views.at(-1)?.address, null);
  assert.deepEqual(calls.at(-1), { name: 'causeway0', linkLocal: LL });
});

test('a prefix withdrawn (valid lifetime 0) removes the address', async () => {
  const { link, calls } = setup();
  const session = fakeSession();
  link.watch(session);
  session.emit({ type: 'ipv6-up', ipv6: ID });
  link.attach('causeway0', session);
  link.routerAdvertisement(RA);
  link.routerAdvertisement(
    buildRouterAdvertisement({ prefixes: [{ prefix: '2001:db8:1:2::', valid: 0, preferred: 0 }] }),
  );
  await link.settled();
  assert.deepEqual(calls.at(-1), { name: 'causeway0', linkLocal: LL });
});

test('RAs before IPv6CP, malformed RAs and unusable prefixes change nothing, and say why', async () => {
  const { link, calls, logs } = setup();
  const session = fakeSession();
  link.watch(session);
  link.attach('causeway0', session);
  link.routerAdvertisement(RA);
  session.emit({ type: 'ipv6-up', ipv6: ID });
  await link.settled();
  const before = calls.length;
  const broken = Buffer.from(RA);
  broken[60] = (broken[60] ?? 0) ^ 0xff;
  link.routerAdvertisement(broken);
  link.routerAdvertisement(buildRouterAdvertisement({ prefixes: [{ prefix: '2001:db8:5::', length: 48 }] }));
  await link.settled();
  assert.equal(calls.length, before);
  assert.ok(
    logs.some((l) => /checksum/.test(l)),
    logs.join('\n'),
  );
  assert.ok(
    logs.some((l) => /not a \/64/.test(l)),
    logs.join('\n'),
  );
});

test('a reconnect whose session has no IPv6 (yet) takes the stale addresses away', async () => {
  const { link, calls, views } = setup();
  const first = fakeSession();
  link.watch(first);
  first.emit({ type: 'ipv6-up', ipv6: ID });
  link.attach('causeway0', first);
  link.detach();
  const second = fakeSession();
  link.watch(second);
  link.attach('causeway0', second);
  await link.settled();
  assert.deepEqual(calls.at(-1), { name: 'causeway0' });
  assert.equal(views.at(-1), undefined);
  // The old session's late event is not taken for the new one.
  first.emit({ type: 'ipv6-up', ipv6: { localInterfaceId: '9:9:9:9', peerInterfaceId: null } });
  await link.settled();
  assert.deepEqual(calls.at(-1), { name: 'causeway0' });
});

test('the view names only what the helper has applied: not the address of an RA whose set-ipv6 is in flight', async () => {
  const pending: (() => void)[] = [];
  const views: (Ipv6View | undefined)[] = [];
  const net = {
    setIpv6: () => new Promise<void>((resolve) => pending.push(resolve)),
  } as unknown as NetConfigurator;
  const link = new Ipv6Link({
    net,
    clock: new ManualClock(),
    log: { info: () => {}, error: () => {} },
    onChange: (v) => views.push(v),
  });
  const session = fakeSession();
  link.watch(session);
  session.emit({ type: 'ipv6-up', ipv6: ID });
  link.attach('causeway0', session);
  // Read through a function: TypeScript would narrow a property read after the first assertion.
  const view = (): Ipv6View | undefined => link.view;
  assert.equal(view(), undefined, 'the link-local address is not on the TUN yet');
  link.routerAdvertisement(RA);
  const tick = () => new Promise((r) => setImmediate(r));
  await tick();
  assert.equal(pending.length, 1, 'one call at a time');
  pending.shift()!();
  await tick();
  assert.equal(view()?.linkLocal, LL);
  assert.equal(view()?.address, null, 'the SLAAC address is still being added');
  await tick();
  assert.equal(view()?.address, null);
  assert.equal(pending.length, 1);
  pending.shift()!();
  await link.settled();
  assert.equal(view()?.address, '2001:db8:1:2:21a:2bff:fe3c:4d5e/64');
  assert.deepEqual(
    views.map((v) => v?.address),
    [null, '2001:db8:1:2:21a:2bff:fe3c:4d5e/64'],
  );
});

test('a failed set-ipv6 leaves the view as the system has it', async () => {
  let fail = false;
  const net = {
    setIpv6: () =>
      fail ? Promise.reject(new Error('ip -6 addr add: RTNETLINK answers: Permission denied')) : Promise.resolve(),
  } as unknown as NetConfigurator;
  const logs: string[] = [];
  const link = new Ipv6Link({
    net,
    clock: new ManualClock(),
    log: { info: () => {}, error: (m) => logs.push(m) },
    onChange: () => {},
  });
  const session = fakeSession();
  link.watch(session);
  session.emit({ type: 'ipv6-up', ipv6: ID });
  link.attach('causeway0', session);
  await link.settled();
  fail = true;
  link.routerAdvertisement(RA);
  await link.settled();
  assert.deepEqual(link.view, { linkLocal: LL, address: null, dns: [] });
  assert.match(logs.join('\n'), /could not be set/);
});
