// Upload flow control over real TLS: the packet pump writes one TUN read burst per TLS write, and
// the TLS socket's write high-water mark (transport/tls.ts) decides when TUN reads pause.
// - A burst that fits (64 full-size packets, ~90 KB) into an empty socket buffer does not pause the
//   TUN: with Node's default 16 KiB mark every such burst did (stalls ≈ read wake-ups).
// - A far end that stops reading still pauses TUN reads, and what waits in this process stays
//   bounded (the mark plus one burst) however long the TUN keeps offering packets; once the far end
//   reads again everything the pump took arrives and the TUN is read again.
// The far end is the strict peer (real HTTP, SSTP, PPP, MS-CHAPv2, IPCP) until IPCP is open; then
// the test takes its TLS socket over, as test/bench/ceiling-endpoint.ts does, to pause and count.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { PacketPump } from '../../../main/engine/datapath/pump.js';
import { SstpSession } from '../../../main/engine/session.js';
import { dialServer } from '../../../main/engine/transport/dial.js';
import { TLS_HIGH_WATER_MARK } from '../../../main/engine/transport/tls.js';
import { createMemoryTun } from '../../../main/engine/tun/tun-memory.js';
import { peerCertificates } from '../../peers/certificates.js';
import { PeerConnection } from '../../peers/connection.js';
import { EventLog } from '../../peers/events.js';
import { resolveScript } from '../../peers/script.js';
import { assertNothingLeftOpen } from './helpers.js';

const IP_BYTES = 1400;
const BURST = 64;
/** What the memory TUN hands over at most per wake-up (its maxPackets / maxBytes defaults). */
const MAX_BATCH_BYTES = 256 * 1024 + 256 * 8;
const QUEUE_LIMIT = 1000;

function ipPacket(n: number): Buffer {
  const p = Buffer.alloc(IP_BYTES, n & 0xff);
  p[0] = 0x45;
  p.writeUInt16BE(IP_BYTES, 2);
  p[9] = 17;
  return p;
}
const burst = Array.from({ length: BURST }, (_, i) => ipPacket(i));

interface Far {
  readonly server: Server;
  readonly port: number;
  /** The far end's TLS socket once IPCP is open, taken over from the peer: paused, nothing read. */
  readonly taken: Promise<TLSSocket>;
}

async function startFarEnd(): Promise<Far> {
  const certs = await peerCertificates();
  const script = resolveScript({ name: 'backpressure', ipv6cp: { mode: 'protocol-reject' } });
  let resolveTaken!: (s: TLSSocket) => void;
  const taken = new Promise<TLSSocket>((resolve) => (resolveTaken = resolve));
  const server = createServer({ key: certs.leaf.keyPem, cert: certs.leaf.certPem, minVersion: 'TLSv1.2' }, (s) => {
    const log = new EventLog();
    new PeerConnection(s, { script, log, certDer: certs.leaf.der, ipv6cpReleased: () => false });
    void log.waitFor('ipcp-opened', undefined, 30_000).then(() => {
      s.removeAllListeners('data');
      s.pause();
      resolveTaken(s);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, taken };
}

/** Waits (event-loop turns, bounded) until `done()`; fails with `what` if it never is. */
async function until(done: () => boolean, what: string, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await tick();
  assert.ok(done(), what);
}

describe('upload backpressure over real TLS', () => {
  after(() => assertNothingLeftOpen());

  test(
    'a burst that fits does not pause TUN reads; a far end that stops reading does, with bounded memory',
    { timeout: 60_000 },
    async () => {
      const far = await startFarEnd();
      let tls: TLSSocket | undefined;
      const session = new SstpSession(
        {
          host: '127.0.0.1',
          port: far.port,
          tlsMin: 'TLSv1.2',
          trust: { insecure: true },
          credentials: { username: 'testuser', password: 'testpass' },
          authMethods: ['mschapv2'],
          ipv6: false,
          mru: 1500,
        },
        {
          // The product's own dialer; the test only keeps the TLS socket to read its buffer length.
          dial: async (c, d, h) => {
            const r = await dialServer(c, d, h);
            if (r.kind === 'ready') tls = r.socket;
            return r;
          },
        },
      );
      const { device, kernel } = createMemoryTun({ queueLimit: QUEUE_LIMIT });
      const pump = new PacketPump(device);
      try {
        const up = await session.connect();
        assert.ok(up.ok, up.ok ? '' : up.failure.message);
        const socket = tls;
        assert.ok(socket);
        assert.equal(socket.writableHighWaterMark, TLS_HIGH_WATER_MARK);
        const farSocket = await far.taken;
        let received = 0;
        farSocket.on('data', (b: Buffer) => (received += b.length));
        pump.attach(session);

        // 1. The far end reads: 30 bursts, each into an empty socket buffer, none pauses the TUN.
        farSocket.resume();
        for (let i = 0; i < 30; i++) {
          const before = pump.stats.txPackets;
          kernel.inject(burst);
          await until(() => pump.stats.txPackets === before + BURST && socket.writableLength === 0, `burst ${i} sent`);
        }
        assert.equal(pump.stats.tlsStalls, 0, 'a ~90 KB burst must fit the TLS write buffer');

        // 2. The far end stops reading: bursts keep coming until the TUN's queue overflows, which
        // happens only while the pump keeps it paused. The socket buffer never exceeds mark + one batch.
        farSocket.pause();
        let most = 0;
        for (let round = 0; kernel.dropped === 0; round++) {
          assert.ok(round < 20_000, 'TUN reads never paused');
          kernel.inject(burst);
          await tick();
          most = Math.max(most, socket.writableLength);
        }
        assert.ok(pump.stats.tlsStalls >= 1);
        const paused = pump.stats.txPackets;
        for (let round = 0; round < 200; round++) {
          kernel.inject(burst);
          await tick();
          most = Math.max(most, socket.writableLength);
        }
        assert.equal(pump.stats.txPackets, paused, 'nothing more taken from the TUN while TLS is backed up');
        assert.ok(most <= TLS_HIGH_WATER_MARK + MAX_BATCH_BYTES, `${most} bytes waited in the TLS socket`);

        // 3. The far end reads again: the TUN is read again, and every byte the pump wrote arrives.
        farSocket.resume();
        await until(() => pump.stats.txPackets >= paused + QUEUE_LIMIT, 'TUN reads resumed');
        const framed = pump.stats.txBytes + 8 * pump.stats.txPackets;
        await until(() => received >= framed, `${received} of ${framed} bytes arrived`);
        assert.equal(pump.stats.txDropped, 0);
      } finally {
        pump.stop();
        await session.disconnect();
        far.server.close();
        (await Promise.race([far.taken, Promise.resolve(undefined)]))?.destroy();
      }
    },
  );
});
