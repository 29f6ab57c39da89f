// The server list as the tunnel gets it: alternates resolved (both families), every address collected
// for the routes, and a factory whose sessions move on only after a TCP/TLS/HTTP failure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionConfig } from '../../../main/engine/config.js';
import { failure, type SessionFailure } from '../../../main/engine/failure.js';
import type { FailoverInner } from '../../../main/engine/failover.js';
import type { ConnectOutcome } from '../../../main/engine/session.js';
import { failoverFactory, resolveServerList } from '../../../main/engine/server-list.js';

const config: SessionConfig = {
  host: 'vpn1.example.test',
  address: '192.0.2.1',
  addresses: ['2001:db8::1', '192.0.2.1'],
  port: 443,
  tlsMin: 'TLSv1.2',
  trust: {},
  credentials: { username: 'u', password: 'p' },
  authMethods: ['mschapv2'],
  ipv6: false,
  mru: 1500,
};

const records: Record<string, { address: string; family: number }[]> = {
  'vpn2.example.test': [
    { address: '192.0.2.2', family: 4 },
    { address: '2001:db8::2', family: 6 },
  ],
};
const lookup = (host: string) =>
  records[host] ? Promise.resolve(records[host]) : Promise.reject(new Error(`ENOTFOUND ${host}`));

/** A session that ends as told, recording the server it was aimed at. */
function fakeSession(c: SessionConfig, result: SessionFailure | null, dialled: string[]): FailoverInner {
  dialled.push(`${c.host}:${c.port}@${c.addresses?.join('|') ?? c.address ?? '-'}`);
  let closed!: (f: SessionFailure | null) => void;
  const closedP = new Promise<SessionFailure | null>((r) => (closed = r));
  return {
    connect: (): Promise<ConnectOutcome> => {
      if (result) closed(result);
      return Promise.resolve(result ? { ok: false, failure: result, timings: [] } : { ok: true, info: {} as never });
    },
    disconnect: () => {
      closed(null);
      return Promise.resolve();
    },
    closed: closedP,
    writeFramed: () => true,
    onDrain: (cb) => cb(),
    onIpPacket: () => () => {},
    pauseReceive: () => {},
    resumeReceive: () => {},
    ipv6Up: false,
    peerMru: 1500,
  };
}

describe('server list', () => {
  it('resolves the alternates, collects every address, and says which names did not resolve', async () => {
    const r = await resolveServerList(
      config,
      [
        { host: 'vpn2.example.test', port: 8443 },
        { host: 'gone.example.test', port: 443 },
      ],
      lookup,
    );
    assert.deepEqual(r.servers, [
      { host: 'vpn1.example.test', port: 443, addresses: ['2001:db8::1', '192.0.2.1'] },
      { host: 'vpn2.example.test', port: 8443, addresses: ['2001:db8::2', '192.0.2.2'] },
    ]);
    assert.deepEqual(r.addresses, ['2001:db8::1', '192.0.2.1', '2001:db8::2', '192.0.2.2']);
    assert.deepEqual(
      r.unresolved.map((u) => u.server),
      ['gone.example.test:443'],
    );
  });

  it('behind a proxy nothing is resolved or routed: the proxy is what is dialled', async () => {
    const r = await resolveServerList(
      { ...config, proxy: { host: 'proxy', port: 3128 } },
      [{ host: 'vpn2.example.test', port: 443 }],
      () => Promise.reject(new Error('no lookup')),
    );
    assert.deepEqual(r.servers, [
      { host: 'vpn1.example.test', port: 443 },
      { host: 'vpn2.example.test', port: 443 },
    ]);
    assert.deepEqual(r.addresses, []);
  });

  it("sessions fail over after a TLS failure, aimed at the next server's own addresses, and not after an auth failure", async () => {
    const list = await resolveServerList(config, [{ host: 'vpn2.example.test', port: 8443 }], lookup);
    const dialled: string[] = [];
    const results = [failure('tls', 'tls-failed', 'bad TLS'), null];
    const make = failoverFactory(list.servers, (c) => fakeSession(c, results.shift() ?? null, dialled));
    const s = make(config, {});
    assert.ok((await s.connect()).ok);
    assert.deepEqual(dialled, [
      'vpn1.example.test:443@2001:db8::1|192.0.2.1',
      'vpn2.example.test:8443@2001:db8::2|192.0.2.2',
    ]);

    const authDialled: string[] = [];
    const auth = failoverFactory(list.servers, (c) =>
      fakeSession(c, failure('auth', 'auth-failed', 'wrong password'), authDialled),
    );
    const outcome = await auth(config, {}).connect();
    assert.ok(!outcome.ok && outcome.failure.code === 'auth-failed');
    assert.equal(authDialled.length, 1, 'the second server is not asked with the same wrong password');
  });

  it('one server: the plain factory', () => {
    const create = (c: SessionConfig) => fakeSession(c, null, []);
    assert.equal(failoverFactory([{ host: 'a', port: 443 }], create), create);
  });
});
