// Tunnel.probe and Tunnel.networkChanged on the manual clock: a resume or a route change probes the
// session at once ('checking', never 'connected' until answered); a dead one reconnects; while there
// is no route nothing is attempted ('waiting-for-network'), and an attempt runs the moment it is back.
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { SessionConfig } from '../../../../main/engine/config.js';
import { Tunnel, type TunnelSession, type TunnelState } from '../../../../main/engine/datapath/tunnel.js';
import { failure, type SessionFailure } from '../../../../main/engine/failure.js';
import type { ConnectOutcome } from '../../../../main/engine/session.js';

const config = {} as SessionConfig;

const up: ConnectOutcome = {
  ok: true,
  info: {
    ipv4: { local: '10.9.0.7', peer: '10.9.0.1', dns: [] },
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
const unreachable: ConnectOutcome = {
  ok: false,
  failure: failure('tcp', 'network-unreachable', 'no route'),
  timings: [],
};

/** A session whose probe the test answers (or lets time out, as SstpSession's does: dead-peer). */
class ProbedSession implements TunnelSession {
  ipv6Up = false;
  peerMru = 1400;
  probes = 0;
  private end!: (f: SessionFailure | null) => void;
  readonly closed = new Promise<SessionFailure | null>((r) => (this.end = (f) => ((this.ended = true), r(f))));
  private answer: ((ok: boolean) => void) | undefined;
  private probeTimer: { cancel(): void } | undefined;
  private ended = false;
  constructor(
    private readonly outcome: ConnectOutcome,
    private readonly clock: ManualClock,
  ) {}
  connect() {
    if (!this.outcome.ok) this.end(this.outcome.failure);
    return Promise.resolve(this.outcome);
  }
  async disconnect() {
    this.probeTimer?.cancel();
    this.end(null);
  }
  probe(timeoutMs: number) {
    this.probes++;
    // As SstpSession: a session that has ended answers no probe.
    if (this.ended) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.answer = resolve;
      this.probeTimer = this.clock.after(timeoutMs, () => {
        if (!this.answer) return;
        this.answer = undefined;
        resolve(false);
        this.end(failure('sstp', 'dead-peer', 'no answer to the check'));
      });
    });
  }
  answerProbe() {
    const a = this.answer;
    this.answer = undefined;
    a?.(true);
  }
  drop(code: SessionFailure['code']) {
    this.probeTimer?.cancel();
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

function setup(outcomes: ConnectOutcome[]) {
  const clock = new ManualClock();
  const sessions: ProbedSession[] = [];
  const states: TunnelState[] = [];
  const tunnel = new Tunnel(
    config,
    { routing: { mode: 'full' }, dns: false, serverAddress: '203.0.113.5', reconnect: { enabled: true } },
    {
      clock,
      random: () => 1,
      createSession: () => {
        const s = new ProbedSession(outcomes.shift() ?? unreachable, clock);
        sessions.push(s);
        return s;
      },
    },
  );
  tunnel.onState((s) => states.push(s));
  const names = () => states.map((s) => s.state);
  return { clock, sessions, states, names, tunnel };
}

/** Read through a call, so an earlier check does not narrow what the compiler expects next. */
function stateOf(tunnel: Tunnel): TunnelState {
  return tunnel.state;
}

async function advance(clock: ManualClock, ms: number) {
  for (let i = 0; i < 5; i++) await tick();
  clock.advance(ms);
  for (let i = 0; i < 5; i++) await tick();
}

describe('Tunnel.probe', () => {
  it("a resume probes at once: 'checking' (not connected) until the echo is answered, then connected again", async () => {
    const t = setup([up]);
    await t.tunnel.start();
    t.tunnel.probe('resume');
    assert.equal(t.sessions[0]?.probes, 1);
    const s = stateOf(t.tunnel);
    assert.deepEqual(s, { state: 'checking', reason: 'resume' });
    await advance(t.clock, 200);
    assert.equal(stateOf(t.tunnel).state, 'checking', 'still not connected: no answer yet');
    t.sessions[0]?.answerProbe();
    await advance(t.clock, 0);
    assert.equal(stateOf(t.tunnel).state, 'connected');
    assert.deepEqual(t.names(), ['connecting', 'connected', 'checking', 'connected']);
    assert.equal(t.sessions.length, 1, 'the same session carries on');
    await t.tunnel.stop();
  });

  it('unanswered within the bound (750 ms by default): reconnecting at once, the first attempt without backoff, connected', async () => {
    const t = setup([up, up]);
    await t.tunnel.start();
    t.tunnel.probe('clock-jump');
    await advance(t.clock, 749);
    assert.equal(stateOf(t.tunnel).state, 'checking');
    assert.equal(t.sessions.length, 1);
    await advance(t.clock, 1);
    assert.equal(stateOf(t.tunnel).state, 'connected', 'reconnected at the probe deadline, no backoff wait');
    assert.equal(t.sessions.length, 2);
    assert.deepEqual(
      t.states.flatMap((s) => (s.state === 'reconnecting' ? [s.delayMs] : [])),
      [1000, 0],
      'the backoff was scheduled, then cut short',
    );
    assert.deepEqual(t.names(), ['connecting', 'connected', 'checking', 'reconnecting', 'reconnecting', 'connected']);
    await t.tunnel.stop();
  });

  it('a probe while a reconnect is owed runs the attempt now instead of after the backoff', async () => {
    const t = setup([up, unreachable, up]);
    await t.tunnel.start();
    t.sessions[0]?.drop('connection-lost');
    await advance(t.clock, 1000); // attempt 1 fails, attempt 2 is due in 2 s
    const s = stateOf(t.tunnel);
    assert.ok(s.state === 'reconnecting' && s.attempt === 2 && s.delayMs === 2000, JSON.stringify(s));
    t.tunnel.probe('resume');
    await advance(t.clock, 0);
    assert.equal(stateOf(t.tunnel).state, 'connected', 'no 2 s wait');
    assert.equal(t.sessions.length, 3);
    await t.tunnel.stop();
  });

  it('a session that cannot probe is left alone', async () => {
    const t = setup([up]);
    await t.tunnel.start();
    const session = t.sessions[0];
    assert.ok(session);
    Object.defineProperty(session, 'probe', { value: undefined });
    t.tunnel.probe('resume');
    assert.equal(stateOf(t.tunnel).state, 'connected');
    await t.tunnel.stop();
  });
});

describe('Tunnel.networkChanged', () => {
  it('no route: the probe fails, then waiting-for-network with no attempts however long; route back: an attempt at once', async () => {
    const t = setup([up, up]);
    await t.tunnel.start();
    t.tunnel.networkChanged(false);
    assert.equal(stateOf(t.tunnel).state, 'checking');
    await advance(t.clock, 750);
    const w = stateOf(t.tunnel);
    assert.ok(w.state === 'waiting-for-network' && w.attempt === 1 && w.reason.code === 'dead-peer', JSON.stringify(w));
    await advance(t.clock, 10 * 60_000);
    assert.equal(t.sessions.length, 1, 'not one attempt in ten minutes without a route');
    assert.equal(t.clock.pending, 0, 'no timer armed while waiting');
    t.tunnel.networkChanged(true);
    const r = stateOf(t.tunnel);
    assert.ok(r.state === 'reconnecting' && r.delayMs === 0, JSON.stringify(r));
    await advance(t.clock, 0);
    assert.equal(stateOf(t.tunnel).state, 'connected');
    assert.equal(t.sessions.length, 2);
    assert.deepEqual(t.names(), [
      'connecting',
      'connected',
      'checking',
      'waiting-for-network',
      'reconnecting',
      'connected',
    ]);
    await t.tunnel.stop();
  });

  it('the route goes away during the backoff: the pending attempt is held, not run, until it is back', async () => {
    const t = setup([up, up]);
    await t.tunnel.start();
    t.sessions[0]?.drop('connection-lost');
    await advance(t.clock, 0);
    assert.equal(stateOf(t.tunnel).state, 'reconnecting');
    t.tunnel.networkChanged(false);
    assert.equal(stateOf(t.tunnel).state, 'waiting-for-network');
    await advance(t.clock, 60_000);
    assert.equal(t.sessions.length, 1);
    t.tunnel.networkChanged(true);
    await advance(t.clock, 0);
    assert.equal(stateOf(t.tunnel).state, 'connected');
    await t.tunnel.stop();
  });

  it('a changed route with the server still reachable probes a connected tunnel; an answer keeps it', async () => {
    const t = setup([up]);
    await t.tunnel.start();
    t.tunnel.networkChanged(true);
    assert.deepEqual(stateOf(t.tunnel), { state: 'checking', reason: 'network-change' });
    t.sessions[0]?.answerProbe();
    await advance(t.clock, 0);
    assert.equal(stateOf(t.tunnel).state, 'connected');
    await t.tunnel.stop();
  });

  it('stop() while waiting for the network ends cleanly, with nothing left armed', async () => {
    const t = setup([up]);
    await t.tunnel.start();
    t.sessions[0]?.drop('connection-lost');
    t.tunnel.networkChanged(false);
    await advance(t.clock, 0);
    assert.equal(stateOf(t.tunnel).state, 'waiting-for-network');
    await t.tunnel.stop();
    assert.equal(await t.tunnel.done, null);
    assert.equal(t.clock.pending, 0);
    t.tunnel.networkChanged(true);
    await advance(t.clock, 0);
    assert.equal(t.sessions.length, 1, 'nothing after stop');
  });
});
