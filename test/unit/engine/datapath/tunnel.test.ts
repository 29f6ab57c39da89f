import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { SessionConfig } from '../../../../main/engine/config.js';
import { backoffDelay } from '../../../../main/engine/datapath/backoff.js';
import type { NetConfigurator } from '../../../../main/engine/datapath/net-configurator.js';
import { Tunnel, type TunnelSession, type TunnelState } from '../../../../main/engine/datapath/tunnel.js';
import { failure, type SessionFailure } from '../../../../main/engine/failure.js';
import type { ConnectOutcome } from '../../../../main/engine/session.js';
import { createMemoryTun, type MemoryTunKernel } from '../../../../main/engine/tun/tun-memory.js';

const config = {} as SessionConfig; // the fake sessions never read it

function up(local: string): ConnectOutcome {
  return {
    ok: true,
    info: {
      ipv4: { local, peer: '10.9.0.1', dns: ['10.9.0.53'] },
      mru: 1500,
      peerMru: 1400,
      authMethod: 'mschapv2',
      tls: {
        version: 'TLSv1.3',
        cipher: 'x',
        certificate: {
          subject: '',
          issuer: '',
          serialNumber: '',
          validFrom: '',
          validTo: '',
          subjectAltNames: [],
          sha256: '',
          selfSigned: false,
        },
      },
      timings: [],
    },
  };
}
const down = (code: SessionFailure['code']): ConnectOutcome => ({
  ok: false,
  failure: failure('tcp', code, code),
  timings: [],
});

class FakeSession implements TunnelSession {
  ipv6Up = false;
  peerMru = 1400;
  disconnects = 0;
  private end!: (f: SessionFailure | null) => void;
  readonly closed = new Promise<SessionFailure | null>((r) => (this.end = r));
  private settle: ((o: ConnectOutcome) => void) | undefined;
  /** 'pending': connect() waits until disconnect() cancels it, as SstpSession's does. */
  constructor(private readonly outcome: ConnectOutcome | 'pending') {}
  connect() {
    if (this.outcome === 'pending') return new Promise<ConnectOutcome>((r) => (this.settle = r));
    if (!this.outcome.ok) this.end(this.outcome.failure);
    return Promise.resolve(this.outcome);
  }
  async disconnect() {
    this.disconnects++;
    this.settle?.({ ok: false, failure: failure('tcp', 'cancelled', 'cancelled'), timings: [] });
    this.end(null);
  }
  drop(code: SessionFailure['code']) {
    this.end(failure('connected', code, code));
  }
  writeFramed() {
    return true;
  }
  onDrain(cb: () => void) {
    cb();
  }
  onIpPacket() {
    return () => {};
  }
  pauseReceive() {}
  resumeReceive() {}
}

class RecordingNet implements NetConfigurator {
  calls: string[] = [];
  async createTun() {
    this.calls.push('create-tun');
    return 'causeway0';
  }
  async configure(a: { address: string; mtu: number }) {
    this.calls.push(`configure ${a.address} mtu ${a.mtu}`);
  }
  async setRoutes(a: { routing: { mode: string } }) {
    this.calls.push(`routes ${a.routing.mode}`);
  }
  async setDns(a: { servers: readonly string[] }) {
    this.calls.push(`dns ${a.servers.join(',')}`);
  }
  async teardown() {
    this.calls.push('teardown');
  }
}

function setup(
  outcomes: (ConnectOutcome | 'pending')[],
  reconnect = { enabled: true, maxAttempts: undefined as number | undefined },
  plane: 'system' | 'none' = 'system',
) {
  const clock = new ManualClock();
  const net = new RecordingNet();
  const sessions: FakeSession[] = [];
  const states: TunnelState[] = [];
  const kernels: MemoryTunKernel[] = [];
  const common = {
    createSession: () => {
      const s = new FakeSession(outcomes.shift() ?? down('network-unreachable'));
      sessions.push(s);
      return s;
    },
    clock,
    random: () => 1,
  };
  const openTun = () => {
    const { device, kernel } = createMemoryTun({ name: 'causeway0' });
    kernels.push(kernel);
    return { ok: true as const, device };
  };
  const tunnel = new Tunnel(
    config,
    { routing: { mode: 'full' }, dns: true, serverAddress: '203.0.113.5', reconnect },
    plane === 'system' ? { ...common, net, openTun } : common,
  );
  tunnel.onState((s) => states.push(s));
  return { clock, net, sessions, states, tunnel, kernels };
}

/** Reads the state through a call, so earlier checks of it do not narrow what the compiler expects. */
function stateOf(tunnel: Tunnel): TunnelState {
  return tunnel.state;
}

/** Lets promise chains run, then fires timers due within `ms`. */
async function advance(clock: ManualClock, ms: number) {
  for (let i = 0; i < 5; i++) await tick();
  clock.advance(ms);
  for (let i = 0; i < 5; i++) await tick();
}

describe('Tunnel', () => {
  it('sets up TUN, address (MTU from the server MRU), routes and DNS once the session is up; stop() undoes it', async () => {
    const t = setup([up('10.9.0.7')]);
    const outcome = await t.tunnel.start();
    assert.ok(outcome.ok);
    assert.deepEqual(t.net.calls, ['create-tun', 'configure 10.9.0.7 mtu 1400', 'routes full', 'dns 10.9.0.53']);
    assert.equal(t.tunnel.state.state, 'connected');
    await t.tunnel.stop();
    assert.equal(t.sessions[0]?.disconnects, 1);
    assert.equal(t.net.calls.at(-1), 'teardown');
    assert.equal(await t.tunnel.done, null);
  });

  it('a failure before the first success is final and sets nothing up', async () => {
    const t = setup([down('auth-failed')]);
    const outcome = await t.tunnel.start();
    assert.ok(!outcome.ok);
    assert.deepEqual(t.net.calls, []);
    assert.equal((await t.tunnel.done)?.code, 'auth-failed');
  });

  it('after a drop it keeps the TUN and routes, backs off, and reattaches the same address without reconfiguring', async () => {
    const t = setup([up('10.9.0.7'), down('network-unreachable'), up('10.9.0.7')]);
    await t.tunnel.start();
    t.net.calls = [];
    t.sessions[0]?.drop('dead-peer');
    await advance(t.clock, 0);
    assert.equal(t.tunnel.state.state, 'reconnecting');
    assert.deepEqual(t.net.calls, [], 'nothing torn down while reconnecting');
    await advance(
      t.clock,
      backoffDelay(1, { initialMs: 1000, maxMs: 30000 }, () => 1),
    );
    assert.deepEqual(
      t.states
        .filter((s) => s.state === 'reconnecting')
        .map((s) => (s.state === 'reconnecting' ? [s.attempt, s.delayMs] : [])),
      [
        [1, 1000],
        [2, 2000],
      ],
      'exponential backoff',
    );
    await advance(t.clock, 2000);
    const s = stateOf(t.tunnel);
    assert.equal(s.state, 'connected');
    assert.equal(s.state === 'connected' ? s.reconnects : -1, 1);
    assert.deepEqual(t.net.calls, [], 'same address: no reconfiguration');
    await t.tunnel.stop();
  });

  it('reconfigures the interface when the server hands out a different address', async () => {
    const t = setup([up('10.9.0.7'), up('10.9.0.8')]);
    await t.tunnel.start();
    t.net.calls = [];
    t.sessions[0]?.drop('connection-lost');
    await advance(t.clock, 1000);
    assert.deepEqual(t.net.calls, ['configure 10.9.0.8 mtu 1400', 'routes full']);
    await t.tunnel.stop();
  });

  it('does not retry an authentication failure during reconnect, and tears everything down', async () => {
    const t = setup([up('10.9.0.7'), down('auth-failed')]);
    await t.tunnel.start();
    t.sessions[0]?.drop('peer-disconnect');
    await advance(t.clock, 1000);
    assert.equal((await t.tunnel.done)?.code, 'auth-failed');
    assert.equal(t.net.calls.at(-1), 'teardown');
  });

  it('gives up after maxAttempts and tears down; without reconnect a drop ends the tunnel at once', async () => {
    const t = setup([up('10.9.0.7')], { enabled: true, maxAttempts: 2 });
    await t.tunnel.start();
    t.sessions[0]?.drop('dead-peer');
    await advance(t.clock, 1000);
    await advance(t.clock, 2000);
    assert.equal((await t.tunnel.done)?.code, 'network-unreachable');
    assert.equal(t.net.calls.at(-1), 'teardown');

    const u = setup([up('10.9.0.7')], { enabled: false, maxAttempts: undefined });
    await u.tunnel.start();
    u.sessions[0]?.drop('dead-peer');
    assert.equal((await u.tunnel.done)?.code, 'dead-peer');
    assert.equal(u.net.calls.at(-1), 'teardown');
  });

  it('stop() while waiting to reconnect cancels the retry and tears down', async () => {
    const t = setup([up('10.9.0.7')]);
    await t.tunnel.start();
    t.sessions[0]?.drop('dead-peer');
    await advance(t.clock, 0);
    await t.tunnel.stop();
    assert.equal(await t.tunnel.done, null);
    assert.equal(t.net.calls.at(-1), 'teardown');
    assert.equal(t.sessions.length, 1, 'no new session after stop');
    assert.equal(t.clock.pending, 0);
  });
});

describe('Tunnel, system data plane faults', () => {
  it('a failing TUN device ends the tunnel with data-path-failed and undoes the system configuration', async () => {
    const t = setup([up('10.9.0.7')]);
    await t.tunnel.start();
    t.kernels[0]?.fail({ code: 'ENODEV', message: 'gone' });
    assert.equal((await t.tunnel.done)?.code, 'data-path-failed');
    assert.equal(t.sessions[0]?.disconnects, 1);
    assert.equal(t.net.calls.at(-1), 'teardown');
  });

  it('stop() while the first session is connecting cancels it and sets nothing up', async () => {
    const t = setup(['pending']);
    const started = t.tunnel.start();
    await t.tunnel.stop();
    const outcome = await started;
    assert.ok(!outcome.ok);
    assert.equal(t.sessions[0]?.disconnects, 1);
    assert.equal(await t.tunnel.done, null, 'stopped on request, not failed');
    assert.deepEqual(t.net.calls, []);
  });
});

describe('Tunnel, session-only (no data plane)', () => {
  it('reports the session without an interface, routes or DNS, and touches nothing on the system', async () => {
    const t = setup([up('10.9.0.7')], undefined, 'none');
    assert.ok((await t.tunnel.start()).ok);
    const s = stateOf(t.tunnel);
    assert.equal(s.state, 'connected');
    if (s.state !== 'connected') return;
    assert.equal(s.interfaceName, null);
    assert.deepEqual(s.dns, []);
    assert.equal(s.mtu, 1400);
    assert.equal(s.ipv4.local, '10.9.0.7');
    assert.equal(t.tunnel.stats, undefined, 'no pump');
    assert.equal(t.kernels.length, 0);
    await t.tunnel.stop();
    assert.equal(t.sessions[0]?.disconnects, 1);
    assert.equal(await t.tunnel.done, null);
    assert.deepEqual(t.net.calls, []);
  });

  it('reconnects with the same backoff after a drop, and reports each new session', async () => {
    const t = setup([up('10.9.0.7'), down('network-unreachable'), up('10.9.0.8')], undefined, 'none');
    await t.tunnel.start();
    t.sessions[0]?.drop('dead-peer');
    await advance(t.clock, 1000);
    assert.equal(stateOf(t.tunnel).state, 'reconnecting');
    await advance(t.clock, 2000);
    const s = stateOf(t.tunnel);
    assert.equal(s.state, 'connected');
    if (s.state !== 'connected') return;
    assert.equal(s.ipv4.local, '10.9.0.8');
    assert.equal(s.reconnects, 1);
    assert.equal(s.interfaceName, null);
    assert.deepEqual(t.net.calls, []);
    await t.tunnel.stop();
    assert.equal(t.sessions[2]?.disconnects, 1);
  });

  it('does not retry a non-reconnectable failure and ends with it', async () => {
    const t = setup([up('10.9.0.7'), down('auth-failed')], undefined, 'none');
    await t.tunnel.start();
    t.sessions[0]?.drop('peer-disconnect');
    await advance(t.clock, 1000);
    assert.equal((await t.tunnel.done)?.code, 'auth-failed');
    assert.equal(t.sessions.length, 2);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, jittered to 50..100 %', () => {
    const p = { initialMs: 1000, maxMs: 30000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, p, () => 1)),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000],
    );
    assert.equal(
      backoffDelay(3, p, () => 0),
      2000,
    );
  });
});
