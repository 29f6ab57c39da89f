// A laptop's life against the SoftEther test server (issue 13): `causeway connect` in a client
// namespace is frozen past the server's timeout, then sees a silent outage that only logind's
// PrepareForSleep(false) announces (a private test system bus), then loses its route to the server.
// Each time: never 'connected' on the dead session, 'reconnecting' within 1 s of the resume, and no
// connection attempt (no SYN at the server) while there is no route; connected within 3 s of its return.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findExecutable } from '../../harness/netns.js';
import { integrationSkip } from '../../harness/softether.js';
import {
  freezeAndResume,
  isEvent,
  routeGap,
  silentOutageThenResume,
  startConnect,
  startLifeLab,
  type LifeLab,
  type Recovery,
  type TimedConnect,
} from '../../support/tunnel-life.js';

const missing = ['nft', 'gdbus', 'dbus-daemon'].filter((t) => findExecutable(t) === undefined);
const skip = integrationSkip() || (missing.length > 0 ? `${missing.join(', ')} not installed` : false);

/** No 'connected' between the resume and the reconnect: the dead session is never shown as up. */
function assertHonest(r: Recovery): void {
  const firstReconnect = r.path.indexOf('reconnecting');
  assert.ok(firstReconnect >= 0, r.path.join(' → '));
  assert.ok(
    !r.path.slice(0, firstReconnect).includes('connected'),
    `connected before the reconnect: ${r.path.join(' → ')}`,
  );
  assert.equal(r.path.at(-1), 'connected');
}

describe('sleep, resume and network changes against SoftEther', { skip }, () => {
  let lab: LifeLab;
  let c: TimedConnect;

  before(async () => {
    lab = await startLifeLab();
    c = startConnect(lab);
    await c.next(isEvent('connected'), 0, 60_000);
  });
  after(async () => {
    await c?.stop();
    await lab?.stop();
  });

  it('frozen with SIGSTOP past the server timeout: reconnecting within 1 s of SIGCONT, then connected again', async () => {
    const r = await freezeAndResume(c);
    console.log(
      `SIGCONT → reconnecting ${r.toReconnectingMs.toFixed(0)} ms, → connected ${r.toConnectedMs.toFixed(0)} ms; ${r.path.join(' → ')}`,
    );
    assert.ok(r.toReconnectingMs <= 1_000, `${r.toReconnectingMs} ms`);
    assertHonest(r);
  });

  it('a silent outage past the server timeout ended by PrepareForSleep(false): checked at once, reconnecting within 1 s, connected', async () => {
    const r = await silentOutageThenResume(lab, c);
    console.log(
      `PrepareForSleep(false) → reconnecting ${r.toReconnectingMs.toFixed(0)} ms, → connected ${r.toConnectedMs.toFixed(0)} ms; ${r.path.join(' → ')}`,
    );
    assert.equal(r.path[0], 'checking', `the resume starts a check: ${r.path.join(' → ')}`);
    const check = c.timed.find((x) => x.e['event'] === 'checking' && x.e['reason'] === 'resume');
    assert.ok(check, 'the check names the resume');
    assert.ok(r.toReconnectingMs <= 1_000, `${r.toReconnectingMs} ms`);
    assertHonest(r);
  });

  it('no route to the server: waiting-for-network, no SYN at the server while it lasts, connected within 3 s of its return', async () => {
    const g = await routeGap(lab, c);
    console.log(
      `route gone → waiting ${g.toWaitingMs.toFixed(0)} ms; SYNs while gone ${g.synsWhileGone}, after ${g.synsAfter}; route back → connected ${g.backToConnectedMs.toFixed(0)} ms; ${g.path.join(' → ')}`,
    );
    assert.equal(g.synsWhileGone, 0);
    assert.equal(g.reconnectingWhileGone, 0, 'no attempt scheduled while waiting');
    assert.ok(g.synsAfter >= 1, 'the reconnect did reach the server');
    assert.ok(g.backToConnectedMs <= 3_000, `${g.backToConnectedMs} ms`);
    assert.ok(g.path.includes('waiting-for-network'));
    assert.equal(g.path.at(-1), 'connected');
  });
});
