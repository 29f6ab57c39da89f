// The app's connection service with two profiles connected at once, on the real system data plane:
// one privileged helper each (in a client network namespace, where their TUNs and routes land), two
// split profiles to SoftEther routing their own address behind the hub. Each gets its own TUN and
// route, a byte-exact download goes through each TUN at the same time, a third profile wanting the
// first one's route is refused before any helper starts; disconnecting the first removes its TUN and
// route while the second stays connected and still carries a download. The service runs in this
// (host) namespace and dials the server from here; only the helpers run in the client namespace.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectionSnapshot } from '../../../main/contract/model.js';
import { SstpSession } from '../../../main/engine/session.js';
import {
  ConnectionService,
  type ConnectionServiceEvent,
} from '../../../main/services/connections/connection-service.js';
import { helperDataPlane } from '../../../main/services/connections/helper-data-plane.js';
import { MemoryCredentialStore } from '../../../main/services/credentials/memory-store.js';
import { ConnectionLogs } from '../../../main/services/logs/connection-logs.js';
import { ProfileStore } from '../../../main/services/profiles/store.js';
import { startClientNetns, type ClientNetns } from '../../harness/client-netns.js';
import { run, sleep, tool } from '../../harness/netns.js';
import { integrationSkip, startSoftEther, type BlobInfo, type SoftEtherServer } from '../../harness/softether.js';

const skip = integrationSkip();
const INDEX = 84;
const A = '10.77.21.1';
const B = '10.77.22.1';

type Connected = Extract<ConnectionSnapshot, { state: 'connected' }>;

describe('app services: two profiles connected at once on the system data plane, against SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let client: ClientNetns;
  let blob: BlobInfo;
  let dir: string;
  let service: ConnectionService;
  let store: ProfileStore;
  const credentials = new MemoryCredentialStore();
  const events: ConnectionServiceEvent[] = [];

  before(async () => {
    server = await startSoftEther({ name: 'cw-app2', http: true });
    for (const a of [A, B]) await run(tool('ip'), ['-n', server.netns, 'addr', 'add', `${a}/32`, 'dev', 'tap_soft']);
    blob = await server.writeRandomBlob('app2-2m.bin', 2 * 1024 * 1024);
    client = await startClientNetns(server.netns, INDEX);
    dir = mkdtempSync(join(tmpdir(), 'cw-app2-'));
    store = new ProfileStore(join(dir, 'config'));
    service = new ConnectionService({
      store,
      credentials,
      logs: new ConnectionLogs(join(dir, 'logs')),
      createSession: (config, deps) => new SstpSession(config, deps),
      dataPlane: helperDataPlane({ launch: { direct: true, wrap: [tool('ip'), 'netns', 'exec', client.name] } }),
    });
    service.subscribe((e) => events.push(e));
  });
  after(async () => {
    await service?.shutdown();
    await client?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function addProfile(name: string, route: string): Promise<string> {
    const added = await store.add({
      name,
      server: { host: server.host },
      username: server.users.username,
      authMethods: ['mschapv2'],
      tls: { pinnedSha256: server.certDerSha256 },
      routing: { mode: 'split', routes: [`${route}/32`] },
      dns: false,
      reconnect: { enabled: false },
    });
    assert.ok(added.ok, JSON.stringify(added));
    await credentials.set(added.value.id, 'password', server.users.password);
    return added.value.id;
  }

  /** Connects and waits (bounded) for the profile to be connected with its TUN; a failure fails the test. */
  async function connectAndWait(profileId: string): Promise<Connected> {
    const from = events.length;
    const started = await service.connect(profileId);
    assert.ok(started.ok, JSON.stringify(started));
    for (let i = 0; i < 900; i++) {
      for (const e of events.slice(from)) {
        if (e.type !== 'snapshot' || e.snapshot.profileId !== profileId) continue;
        if (e.snapshot.state === 'connected' && e.snapshot.system) return e.snapshot;
        if (e.snapshot.state === 'error') assert.fail(`connect failed: ${JSON.stringify(e.snapshot.failure)}`);
      }
      await sleep(50);
    }
    assert.fail('not connected within 45 s');
  }

  async function routeDev(address: string): Promise<string> {
    return (await client.routeGet(address).catch(() => ({ dev: 'none' }))).dev;
  }

  async function rxBytes(iface: string): Promise<number> {
    const r = await client.exec(tool('cat'), [`/sys/class/net/${iface}/statistics/rx_bytes`]);
    return Number(r.stdout.trim());
  }

  /** sha256 of the blob fetched from `address` from the client namespace (through whatever routes it). */
  async function download(address: string): Promise<string> {
    const url = `http://${address}:8080/${blob.name}`;
    const r = await client.exec('/bin/sh', ['-c', `curl -sS --max-time 60 ${url} | sha256sum`], { timeoutMs: 70_000 });
    return r.stdout.split(' ')[0] ?? '';
  }

  const attemptLog = (profileId: string): string =>
    readdirSync(join(dir, 'logs', profileId))
      .map((f) => readFileSync(join(dir, 'logs', profileId, f), 'utf8'))
      .join('\n');

  it(
    'own TUN and route each, downloads through both at once; a clashing route is refused; one disconnect leaves the other carrying traffic',
    { timeout: 150_000 },
    async () => {
      const a = await addProfile('Lab A', A);
      const b = await addProfile('Lab B', B);
      const c = await addProfile('Lab C', A);
      const upA = await connectAndWait(a);
      const upB = await connectAndWait(b);
      const ifA = upA.system!.interfaceName;
      const ifB = upB.system!.interfaceName;
      assert.notEqual(ifA, ifB, 'two TUNs');
      assert.deepEqual(upA.system!.routes, [`${A}/32`]);
      assert.deepEqual(upB.system!.routes, [`${B}/32`]);
      assert.notEqual(upA.addresses.ipv4, upB.addresses.ipv4, 'two tunnel addresses');
      assert.equal(await routeDev(A), ifA);
      assert.equal(await routeDev(B), ifB);
      assert.equal(await routeDev('192.168.30.5'), 'none', 'split tunnels: nothing else is routed');

      const before = await Promise.all([ifA, ifB].map(rxBytes));
      assert.deepEqual(await Promise.all([A, B].map(download)), [blob.sha256, blob.sha256]);
      const moved = (await Promise.all([ifA, ifB].map(rxBytes))).map((n, i) => n - (before[i] ?? 0));
      for (const [i, iface] of [ifA, ifB].entries())
        assert.ok((moved[i] ?? 0) >= blob.size, `${iface} carried its own download (${moved[i]} bytes)`);

      // Lab C wants Lab A's route: refused before a helper starts, and the attempt's log says why.
      const linksBefore = await client.links();
      const refused = await service.connect(c);
      assert.equal(refused.ok, false);
      if (refused.ok) return;
      assert.equal(refused.error.kind, 'side-by-side');
      assert.match(refused.error.message, /Route 10\.77\.21\.1\/32 is in both "Lab A" \(connected\) and "Lab C"/);
      assert.equal(service.snapshot(c).state, 'disconnected');
      assert.deepEqual(await client.links(), linksBefore, 'no TUN made for the refused profile');
      assert.match(attemptLog(c), /not started: Route 10\.77\.21\.1\/32 is in both/);

      await service.disconnect(a);
      assert.equal(service.snapshot(a).state, 'disconnected');
      assert.ok(!(await client.links()).includes(ifA), `${ifA} removed`);
      assert.equal(await routeDev(A), 'none', "Lab A's route removed");
      assert.equal(service.snapshot(b).state, 'connected');
      assert.equal(await routeDev(B), ifB);
      const rx = await rxBytes(ifB);
      assert.equal(await download(B), blob.sha256, 'Lab B still carries traffic');
      assert.ok((await rxBytes(ifB)) - rx >= blob.size);
      // Lab A's route is free now: Lab C may take it beside Lab B.
      const upC = await connectAndWait(c);
      assert.equal(await routeDev(A), upC.system!.interfaceName);
      assert.equal(await download(A), blob.sha256);

      await service.shutdown();
      const left = await client.links();
      assert.ok(!left.includes(ifB) && !left.includes(upC.system!.interfaceName), `all TUNs gone: ${left.join(',')}`);
    },
  );
});
