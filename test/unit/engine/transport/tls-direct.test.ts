// The direct dial (dial.ts → tls.ts DirectTcp): one address, no proxy, so tls.connect opens the TCP
// connection itself and its reads land in an arena (Node 20 honours `onread` only then). Against a
// real loopback TLS server: the certificate is judged as over a socket of our own, TCP failures keep
// their phase and wording, and the bytes that arrive through the arena are the server's, in order.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import type { SessionConfig } from '../../../../main/engine/config.js';
import { systemClock } from '../../../../main/engine/clock.js';
import { phaseLogger, silentSink } from '../../../../main/engine/log.js';
import { dialServer, type DialHooks, type DialPhase } from '../../../../main/engine/transport/dial.js';
import { issue, type Issued } from '../../services/trust/helpers/certs.js';
import { HOST, judge, serve } from './helpers/tls-server.js';

let ca: Issued;
let good: Issued;
let wrongHost: Issued;
let selfSigned: Issued;

function config(port: number, caPem: string): SessionConfig {
  return {
    host: HOST,
    address: '127.0.0.1',
    port,
    tlsMin: 'TLSv1.2',
    trust: { caPem },
    credentials: { username: 'u', password: 'p' },
    authMethods: ['mschapv2'],
    ipv6: false,
    mru: 1500,
  };
}

function hooks(): DialHooks & { phases: string[] } {
  const phases: string[] = [];
  return {
    phases,
    enter: (p: DialPhase) => phases.push(`enter ${p}`),
    done: (p: DialPhase) => phases.push(`done ${p}`),
    cancelled: () => false,
    socket: () => undefined,
    dialled: (a: string) => phases.push(`dialled ${a}`),
  };
}

const deps = { clock: systemClock, log: (p: DialPhase) => phaseLogger(silentSink, p) };

describe('direct dial: tls.connect opens TCP, reads land in an arena', () => {
  before(() => {
    ca = issue({ cn: 'Causeway Test CA', isCa: true });
    good = issue({ cn: HOST, dns: [HOST], issuer: ca });
    wrongHost = issue({ cn: 'other.example.test', dns: ['other.example.test'], issuer: ca });
    selfSigned = issue({ cn: HOST, dns: [HOST] });
  });

  it('judges the certificate as over our own socket: same verdict and wording', async () => {
    for (const chain of [[good], [wrongHost], [selfSigned]]) {
      const viaSocket = await judge(chain, { caPem: ca.pem });
      const direct = await judge(chain, { caPem: ca.pem }, { direct: true });
      assert.equal(direct.ok, viaSocket.ok);
      if (!direct.ok && !viaSocket.ok) {
        assert.equal(direct.code, viaSocket.code);
        assert.equal(direct.message, viaSocket.message);
      }
    }
  });

  it('a refused TCP connect is a tcp-phase failure with the connect wording, not a TLS one', async () => {
    const closed = netServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const h = hooks();
    const r = await dialServer(config(port, ca.pem), deps, h);
    assert.equal(r.kind, 'failed');
    if (r.kind !== 'failed') return;
    assert.equal(r.failure.phase, 'tcp');
    assert.equal(r.failure.code, 'network-unreachable');
    assert.equal(r.failure.detail, 'ECONNREFUSED');
    assert.match(r.failure.message, /refused the connection/);
    assert.deepEqual(h.phases, ['enter tcp']);
  });

  it('carries the server bytes in order through the arena, with the phases of a socket dial', async () => {
    const server = await serve([good]);
    // 3 MB of a counting pattern, in writes of odd sizes so records and arena chunks never align.
    const total = 3_000_000;
    const sent = Buffer.alloc(total);
    for (let i = 0; i < total; i++) sent[i] = (i * 7 + (i >> 13)) & 0xff;
    server.on('secureConnection', (s) => {
      for (let at = 0; at < total; at += 9_973) s.write(sent.subarray(at, Math.min(total, at + 9_973)));
      s.end();
    });
    try {
      const h = hooks();
      const r = await dialServer(config((server.address() as AddressInfo).port, ca.pem), deps, h);
      assert.equal(r.kind, 'ready');
      if (r.kind !== 'ready') return;
      assert.ok(r.reads, 'reads go to an arena');
      assert.deepEqual(h.phases, ['enter tcp', 'dialled 127.0.0.1', 'done tcp', 'enter tls']);
      let dataEvents = 0;
      r.socket.on('data', () => dataEvents++);
      const got: Buffer[] = [];
      // The views are valid until the next release: copy, then release at once (the worst case for reuse).
      r.reads.attach((bytes) => {
        got.push(Buffer.from(bytes));
        r.reads?.arena.release();
      });
      await once(r.socket, 'close');
      assert.equal(dataEvents, 0);
      assert.ok(Buffer.concat(got).equals(sent), 'the bytes that arrived are the bytes sent');
      assert.ok(r.reads.arena.stats.allocated <= 3, `chunks reused (${r.reads.arena.stats.allocated} allocated)`);
    } finally {
      server.close();
    }
  });
});
