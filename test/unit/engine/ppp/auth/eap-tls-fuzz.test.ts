// Fuzzing the EAP-TLS fragment decoder and reassembler: any byte string, any series of fragments.
// Properties: nothing throws, memory held never exceeds the limit, a complete message is exactly
// the bytes sent, and well-formed fragmentation of any message round-trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Reassembler,
  decodeTlsFragment,
  encodeTlsFragment,
  fragmentMessage,
} from '../../../../../main/engine/ppp/auth/eap-tls-fragments.js';
import type { TlsFragment } from '../../../../../main/engine/ppp/auth/eap-tls-fragments.js';

const LIMIT = 4096;

// Type-Data that is often near-valid: a flags byte from the interesting ones, an optional length
// (often close to the data size, sometimes huge), then data.
const typeData = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  fc
    .tuple(
      fc.constantFrom(0x00, 0x20, 0x40, 0x80, 0xc0, 0xe0, 0x60, 0xff, 0x01),
      fc.oneof(fc.nat({ max: 2 * LIMIT }), fc.constant(0xffffffff), fc.nat()),
      fc.uint8Array({ maxLength: 700 }),
    )
    .map(([flags, length, data]) => {
      const head = Buffer.alloc(5);
      head[0] = flags;
      head.writeUInt32BE(length >>> 0, 1);
      return Buffer.concat([(flags & 0x80) !== 0 ? head : head.subarray(0, 1), Buffer.from(data)]);
    }),
);

test('fuzz: decode + reassemble 100k random fragment series without a throw, within the memory bound', () => {
  let cases = 0;
  let completes = 0;
  fc.assert(
    fc.property(fc.array(typeData, { maxLength: 12 }), (series) => {
      cases += 1;
      const r = new Reassembler(LIMIT);
      let expected: Buffer[] = [];
      for (const td of series) {
        const d = decodeTlsFragment(td);
        if (!d.ok) continue;
        const step = r.push(d.value);
        assert.ok(r.held <= LIMIT, `held ${r.held}`);
        if (step.kind === 'error') {
          assert.equal(r.held, 0);
          expected = [];
          continue;
        }
        expected.push(Buffer.from(d.value.data));
        if (step.kind === 'complete') {
          completes += 1;
          assert.ok(step.message.equals(Buffer.concat(expected)));
          assert.ok(step.message.length <= LIMIT);
          expected = [];
        }
      }
    }),
    { numRuns: 100_000, seed: 5216 },
  );
  assert.equal(cases, 100_000);
  assert.ok(completes > 10_000, `only ${completes} complete messages: the generator is too far from valid input`);
});

test('fuzz: any message, fragmented at any room and re-encoded, reassembles to itself (20k cases)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 1500 }), (a, room) => {
      const msg = Buffer.from(a);
      const r = new Reassembler(LIMIT);
      const frags = fragmentMessage(msg, room);
      let out: Buffer | undefined;
      for (const f of frags) {
        const d = decodeTlsFragment(encodeTlsFragment(f));
        assert.ok(d.ok);
        const step = r.push(d.value as TlsFragment);
        assert.notEqual(step.kind, 'error');
        if (step.kind === 'complete') out = step.message;
      }
      assert.ok(out?.equals(msg));
    }),
    { numRuns: 20_000, seed: 9190 },
  );
});

test('fuzz: the EAP-TLS method under random and mutated EAP Requests never throws and reports at most once (400 sequences)', async () => {
  const { EapAuthenticator } = await import('../../../../../main/engine/ppp/auth/eap.js');
  const { eapOptions } = await import('../../../../../main/engine/ppp/auth/eap-setup.js');
  const { fakeContext, packet } = await import('./fake-context.js');
  const { makeTestCa } = await import('../../../../harness/softether-certs.js');
  const ca = makeTestCa('fuzz CA');
  const pfx = ca.issue({ commonName: 'fuzz' }).pfx('pw');
  const request = fc.oneof(
    fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)),
    fc.tuple(fc.nat({ max: 255 }), typeData).map(([id, td]) => packet(1, id, Buffer.of(13), td)),
    fc.tuple(fc.nat({ max: 255 }), fc.constantFrom(3, 4)).map(([id, code]) => packet(code, id)),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(request, { maxLength: 8 }), async (packets) => {
      const ctx = fakeContext('fuzz', 'x');
      const auth = new EapAuthenticator(
        ctx,
        eapOptions('eap-tls', ctx, {
          authMethods: ['eap-tls'],
          clientCertificate: { pfx, passphrase: 'pw' },
          trust: { policy: { caPem: ca.certPem } },
        }),
      );
      auth.start();
      // Start first, so that most sequences reach the TLS and reassembly paths.
      auth.receive(packet(1, 0, Buffer.of(13), Buffer.of(0x20)));
      for (const p of packets) {
        auth.receive(p);
        await new Promise((r) => setImmediate(r));
      }
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      auth.stop();
      assert.ok(ctx.successes.length + ctx.failures.length <= 1, 'one outcome at most');
      assert.equal(ctx.successes.length, 0, 'no success without a real server');
    }),
    { numRuns: 400, seed: 13 },
  );
});
