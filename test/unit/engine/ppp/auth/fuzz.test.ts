// Property tests: whatever bytes arrive, receive() never throws, reports at most one success and
// one failure, and never reports success without the server's proof where the method has one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AuthMethod } from '../../../../../main/engine/config.js';
import { decodeChap } from '../../../../../main/engine/ppp/auth/chap-packet.js';
import { decodeEap } from '../../../../../main/engine/ppp/auth/eap-packet.js';
import { createAuthenticator } from '../../../../../main/engine/ppp/auth/index.js';
import { decodePap } from '../../../../../main/engine/ppp/auth/pap-packet.js';
import { fakeContext, packet } from './fake-context.js';

const METHODS: readonly AuthMethod[] = ['pap', 'chap', 'mschapv2', 'eap-mschapv2'];

// Plausible packets to mutate: valid shapes of each protocol's messages.
const SEEDS: readonly Buffer[] = [
  packet(1, 1, Buffer.of(16), Buffer.alloc(16, 7), Buffer.from('srv')), // CHAP Challenge
  packet(3, 1, Buffer.from('S=407A5589115FD0D6209F510FE9C04566932CDA56 M=ok')), // CHAP Success
  packet(4, 1, Buffer.from('E=691 R=0 C=00 V=3 M=no')), // CHAP Failure
  packet(2, 1, Buffer.of(0)), // PAP Ack
  packet(3, 1, Buffer.of(2), Buffer.from('no')), // PAP Nak
  packet(1, 1, Buffer.of(1)), // EAP Identity
  packet(1, 2, Buffer.of(26), packet(1, 1, Buffer.of(16), Buffer.alloc(16, 1))), // EAP-MSCHAPv2 Challenge
  packet(1, 3, Buffer.of(26), packet(3, 1, Buffer.from('S=00'))), // EAP-MSCHAPv2 Success
  packet(3, 3), // EAP Success
];

const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.nat(),
  )
  .map(([seed, edits, cut]) => {
    const b = Buffer.from(seed);
    for (const [at, v] of edits) b[at % b.length] = v;
    return b.subarray(0, b.length - (cut % 3));
  });

const anyPacket = fc.oneof(
  fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  mutated,
);

test('decoders never throw on random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (a) => {
      const b = Buffer.from(a);
      decodePap(b);
      decodeChap(b);
      decodeEap(b);
    }),
    { numRuns: 2000 },
  );
});

for (const method of METHODS) {
  test(`${method}: receive() never throws and reports at most one success and one failure`, () => {
    fc.assert(
      fc.property(
        fc.array(anyPacket, { maxLength: 12 }),
        fc.array(fc.nat({ max: 40_000 }), { maxLength: 3 }),
        (packets, waits) => {
          const ctx = fakeContext('testuser', 'testpass');
          const auth = createAuthenticator(method, ctx);
          auth.start();
          packets.forEach((p, i) => {
            auth.receive(p);
            const w = waits[i];
            if (w !== undefined) ctx.clock.advance(w);
          });
          assert.ok(ctx.successes.length <= 1);
          assert.ok(ctx.failures.length <= 1);
          // The random server cannot know the password, so it can never have proved itself.
          if (method === 'mschapv2' || method === 'eap-mschapv2') assert.equal(ctx.successes.length, 0);
          for (const s of ctx.successes) assert.equal(s.hlak.length, 32);
          auth.stop();
          assert.equal(ctx.clock.pending, 0);
        },
      ),
      { numRuns: 500 },
    );
  });
}
