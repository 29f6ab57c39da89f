import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNELS, createDispatcher, type Handlers } from '../../../main/contract/index.js';

// Every channel answers "ok" with its name: enough to see dispatch reach the right handler.
const handlers = Object.fromEntries(
  CHANNELS.map((c) => [c, async () => ({ ok: true, channel: c })]),
) as unknown as Handlers;

test('completeness is checked at compile time', () => {
  const { 'logs.export': _dropped, ...partial } = handlers;
  // @ts-expect-error a handler map without 'logs.export' is not Handlers
  const incomplete: Handlers = partial;
  assert.ok(incomplete);
});

test('a request from an unexpected sender is refused before anything else', async () => {
  let called = false;
  const d = createDispatcher<string>(
    { ...handlers, 'profiles.list': async () => ((called = true), { ok: true, profiles: [] }) },
    { isTrustedSender: (s) => s === 'app-frame' },
  );
  const r = await d('https://evil.example', 'profiles.list', undefined);
  assert.deepEqual(r.ok ? null : r.error.code, 'forbidden');
  assert.equal(called, false);
  const ok = await d('app-frame', 'profiles.list', undefined);
  assert.equal(ok.ok, true);
});

test('unknown channels and invalid payloads are rejected with codes, never echoing the payload', async () => {
  const d = createDispatcher<null>(handlers, { isTrustedSender: () => true });
  const unknown = await d(null, '__proto__', {});
  assert.equal(!unknown.ok && unknown.error.code, 'unknown-channel');
  const cases: [string, unknown][] = [
    ['connections.connect', { profileId: '../../etc', password: 'hunter2-secret' }],
    ['connections.connect', { profileId: 'abc', password: 'hunter2-secret', extra: 1 }],
    ['profiles.setPassword', { id: 'abc', password: '' }],
    ['logs.read', { profileId: 'abc', attempt: -1 }],
    ['import.preview', { fileName: 'x', contentBase64: 'not base64!!' }],
    ['trust.accept', 'promptId'],
    ['profiles.remove', null],
  ];
  for (const [channel, payload] of cases) {
    const r = await d(null, channel, payload);
    assert.equal(!r.ok && r.error.code, 'invalid-payload', `${channel} ${JSON.stringify(payload)}`);
    assert.ok(!JSON.stringify(r).includes('hunter2-secret'));
  }
});

test('an exception in a handler becomes an internal error envelope without its message', async () => {
  const seen: unknown[] = [];
  const d = createDispatcher<null>(
    {
      ...handlers,
      'app.info': async () => {
        throw new Error('password=hunter2 leaked');
      },
    },
    { isTrustedSender: () => true, onInternalError: (_c, e) => seen.push(e) },
  );
  const r = await d(null, 'app.info', undefined);
  assert.equal(!r.ok && r.error.code, 'internal');
  assert.ok(!JSON.stringify(r).includes('hunter2'));
  assert.equal(seen.length, 1);
});
