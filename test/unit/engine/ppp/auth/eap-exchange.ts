// The packet pump the EAP-TLS and PEAP tests share: a client EapAuthenticator and an in-process EAP
// test server (eap-tls-test-server.ts, peap-test-server.ts) trade packets until neither has anything
// left to say, or the client failed. TLS runs on Node's event loop, so each round yields a bounded
// number of turns for the client's TLS step to finish before looking at what it sent.
import type { EapAuthenticator } from '../../../../../main/engine/ppp/auth/eap.js';
import { packet, type FakeContext } from './fake-context.js';

export interface EapTestServer {
  /** Packets the server has queued for the client. */
  readonly outbox: Buffer[];
  start(): void;
  receive(p: Buffer): Promise<void>;
  close(): void;
}

export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Identity first, then the server's Start and everything after, for at most `rounds` server packets. */
export async function pump(
  auth: EapAuthenticator,
  ctx: FakeContext,
  server: EapTestServer,
  rounds: number,
): Promise<void> {
  auth.start();
  auth.receive(packet(1, 1, Buffer.of(1))); // Identity
  ctx.sent.length = 0;
  server.start();
  let delivered = 0;
  for (let round = 0; round < rounds; round++) {
    const p = server.outbox.shift();
    if (p === undefined) break;
    auth.receive(p);
    for (
      let t = 0;
      t < 500 && ctx.sent.length === delivered && ctx.failures.length === 0 && ctx.successes.length === 0;
      t++
    )
      await turns(1);
    while (delivered < ctx.sent.length) await server.receive((ctx.sent[delivered++] as { packet: Buffer }).packet);
    if (ctx.failures.length > 0) break;
  }
  auth.stop();
  server.close();
}
