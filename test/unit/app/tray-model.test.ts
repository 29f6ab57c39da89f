import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trayModel } from '../../../main/app/tray-model.js';
import type { ConnectionSnapshot } from '../../../main/contract/model.js';

const profiles = [
  { id: 'a', name: 'Office' },
  { id: 'b', name: 'Lab' },
];
const failure = { phase: 'auth' as const, code: 'auth-failed' as const, message: 'wrong password' };

test('no profiles: just open and quit, disconnected icon', () => {
  const m = trayModel([], new Map());
  assert.equal(m.icon, 'disconnected');
  assert.deepEqual(
    m.items.map((i) => i.kind),
    ['open', 'quit'],
  );
});

test('each profile offers connect or disconnect from its state', () => {
  const snaps = new Map<string, ConnectionSnapshot>([
    ['a', { profileId: 'a', state: 'connecting', phase: 'tls', attempt: 1 }],
  ]);
  const m = trayModel(profiles, snaps);
  assert.deepEqual(
    m.items.filter((i) => i.kind === 'profile').map((i) => i.kind === 'profile' && [i.label, i.action]),
    [
      ['Disconnect Office (connecting…)', 'disconnect'],
      ['Connect Lab', 'connect'],
    ],
  );
  assert.equal(m.icon, 'connecting');
  assert.match(m.tooltip, /Office: connecting/);
});

test('the most urgent state picks the icon: an error is never hidden by another profile being connected', () => {
  const connected: ConnectionSnapshot = {
    profileId: 'a',
    state: 'connected',
    attempt: 1,
    addresses: { ipv4: '10.0.0.2', peer: null, ipv6: false },
    dns: [],
    server: { host: 'h', port: 443 },
    tls: { version: 'TLSv1.3', cipher: 'x', sha256: 'AA' },
    since: 0,
    bytesIn: 0,
    bytesOut: 0,
    dataPlane: 'session',
  };
  assert.equal(trayModel(profiles, new Map([['a', connected]])).icon, 'connected');
  const m = trayModel(
    profiles,
    new Map<string, ConnectionSnapshot>([
      ['a', connected],
      ['b', { profileId: 'b', state: 'error', failure }],
    ]),
  );
  assert.equal(m.icon, 'error');
  const lab = m.items.find((i) => i.kind === 'profile' && i.profileId === 'b');
  assert.ok(lab && lab.kind === 'profile' && lab.action === 'connect' && lab.label === 'Connect Lab (failed)');
});

test('a profile that is disconnecting cannot be clicked', () => {
  const m = trayModel(
    profiles,
    new Map<string, ConnectionSnapshot>([['a', { profileId: 'a', state: 'disconnecting' }]]),
  );
  const office = m.items[0];
  assert.ok(office?.kind === 'profile' && !office.enabled);
});

test('two profiles connected through the system data plane: one tooltip line each, naming its interface', () => {
  const up = (profileId: string, interfaceName: string, route: string): ConnectionSnapshot => ({
    profileId,
    state: 'connected',
    attempt: 1,
    addresses: { ipv4: '10.0.0.2', peer: null, ipv6: false },
    dns: [],
    server: { host: 'h', port: 443 },
    tls: { version: 'TLSv1.3', cipher: 'x', sha256: 'AA' },
    since: 0,
    bytesIn: 0,
    bytesOut: 0,
    dataPlane: 'tunnel',
    system: { interfaceName, mtu: 1400, routes: [route], dns: [] },
  });
  const m = trayModel(
    profiles,
    new Map([
      ['a', up('a', 'causeway0', '10.1.0.0/16')],
      ['b', up('b', 'causeway1', '10.2.0.0/16')],
    ]),
  );
  assert.equal(m.icon, 'connected');
  assert.equal(m.tooltip, 'Causeway\nOffice: connected via causeway0\nLab: connected via causeway1');
  assert.deepEqual(
    m.items.flatMap((i) => (i.kind === 'profile' ? [i.label] : [])),
    ['Disconnect Office (connected)', 'Disconnect Lab (connected)'],
  );
});
