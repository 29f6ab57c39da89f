import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotificationController, notificationFor, type NotificationSpec } from '../../../main/app/notifications.js';
import type { ConnectionSnapshot } from '../../../main/contract/model.js';

const f = {
  phase: 'connected' as const,
  code: 'connection-lost' as const,
  message: 'The connection to the server was lost.',
};
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
const connecting: ConnectionSnapshot = { profileId: 'a', state: 'connecting', phase: 'tls', attempt: 1 };
const reconnecting: ConnectionSnapshot = { profileId: 'a', state: 'reconnecting', retry: 1, retryAt: 1000, failure: f };
const error: ConnectionSnapshot = {
  profileId: 'a',
  state: 'error',
  failure: { ...f, code: 'auth-failed', message: 'wrong password' },
};

test('providers: connected, dropped, reconnecting, failed, certificate changed — and nothing for the rest', () => {
  assert.equal(notificationFor(connecting, connected, 'Office')?.kind, 'connected');
  assert.equal(
    notificationFor(connected, { ...connected, bytesIn: 5 }, 'Office'),
    null,
    'counter updates are not news',
  );
  assert.equal(notificationFor(connected, reconnecting, 'Office')?.kind, 'dropped');
  assert.equal(notificationFor(connecting, reconnecting, 'Office')?.kind, 'reconnecting');
  assert.equal(notificationFor(reconnecting, reconnecting, 'Office'), null);
  assert.equal(notificationFor(connecting, error, 'Office')?.kind, 'failed');
  assert.equal(notificationFor(connected, error, 'Office')?.kind, 'dropped');
  assert.equal(notificationFor(undefined, connecting, 'Office'), null);
  const changed = notificationFor(
    connecting,
    {
      profileId: 'a',
      state: 'pin-mismatch',
      failure: f,
      expected: 'AA',
      certificate: {
        subject: '',
        issuer: '',
        serialNumber: '',
        validFrom: '',
        validTo: '',
        subjectAltNames: [],
        sha256: 'BB',
        selfSigned: false,
      },
    },
    'Office',
  );
  assert.equal(changed?.kind, 'certificate-changed');
  assert.equal(changed?.critical, true);
});

function controller(focused: { v: boolean }, clock: { t: number }) {
  const shown: NotificationSpec[] = [];
  return {
    shown,
    c: new NotificationController(
      (n) => shown.push(n),
      () => focused.v,
      () => clock.t,
      { sameKindMs: 60_000, perProfileMs: 3_000 },
    ),
  };
}

test('the controller stays quiet while the window has focus, except for security warnings', () => {
  const focused = { v: true };
  const clock = { t: 0 };
  const { shown, c } = controller(focused, clock);
  assert.equal(c.offer(notificationFor(connecting, connected, 'Office')), false);
  const critical: NotificationSpec = {
    profileId: 'a',
    kind: 'certificate-changed',
    title: 't',
    body: 'b',
    critical: true,
  };
  assert.equal(c.offer(critical), true);
  focused.v = false;
  clock.t = 5000;
  assert.equal(c.offer(notificationFor(connecting, connected, 'Office')), true);
  assert.equal(shown.length, 2);
});

test('the controller throttles a flapping link', () => {
  const clock = { t: 0 };
  const { shown, c } = controller({ v: false }, clock);
  const dropped = notificationFor(connected, reconnecting, 'Office');
  const up = notificationFor(reconnecting, connected, 'Office');
  assert.equal(c.offer(dropped), true);
  clock.t = 1000;
  assert.equal(c.offer(up), false, 'within 3 s of the last one for this profile');
  clock.t = 5000;
  assert.equal(c.offer(up), true);
  clock.t = 10_000;
  assert.equal(c.offer(dropped), false, 'the same kind within a minute');
  clock.t = 70_000;
  assert.equal(c.offer(dropped), true);
  assert.equal(shown.length, 3);
  assert.equal(c.offer(null), false);
});

test('throttling is per profile, and what focus held back does not use up the budget', () => {
  const focused = { v: true };
  const clock = { t: 0 };
  const { shown, c } = controller(focused, clock);
  const other: ConnectionSnapshot = { ...connected, profileId: 'b' };
  assert.equal(c.offer(notificationFor(connecting, connected, 'Office')), false, 'window focused');
  focused.v = false;
  clock.t = 100;
  assert.equal(
    c.offer(notificationFor(connecting, connected, 'Office')),
    true,
    'the first one after focus left is shown',
  );
  assert.equal(
    c.offer(notificationFor({ ...connecting, profileId: 'b' }, other, 'Lab')),
    true,
    'another profile is not throttled by this one',
  );
  clock.t = 200;
  assert.equal(c.offer(notificationFor(connected, error, 'Office')), false, 'but this one is, within 3 s');
  assert.deepEqual(
    shown.map((n) => n.title),
    ['Office connected', 'Lab connected'],
  );
});

test('with the default throttle a burst of state changes shows one notification', () => {
  const clock = { t: 1_000_000 };
  const shown: NotificationSpec[] = [];
  const c = new NotificationController(
    (n) => shown.push(n),
    () => false,
    () => clock.t,
  );
  const states = [connecting, connected, reconnecting, connecting, connected, error];
  let prev: ConnectionSnapshot | undefined;
  for (const s of states) {
    c.offer(notificationFor(prev, s, 'Office'));
    prev = s;
    clock.t += 200;
  }
  assert.equal(shown.length, 1);
});
