import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/engine/clock.js';
import { MemoryCredentialStore } from '../../../../main/services/credentials/memory-store.js';
import { ConnectionLogs } from '../../../../main/services/logs/connection-logs.js';
import { ProfileStore } from '../../../../main/services/profiles/store.js';
import {
  ConnectionService,
  type ConnectionServiceEvent,
} from '../../../../main/services/connections/connection-service.js';
import type { DataPlaneProvider } from '../../../../main/services/connections/ports.js';
import { FakeSession } from './fake-session.js';

export const PASSWORD = 'correct horse battery';

export async function setup(opts: { dataPlane?: DataPlaneProvider; reconnect?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-conn-'));
  const store = new ProfileStore(join(dir, 'config'));
  const credentials = new MemoryCredentialStore();
  const logs = new ConnectionLogs(join(dir, 'logs'));
  const clock = new ManualClock();
  const sessions: FakeSession[] = [];
  const events: ConnectionServiceEvent[] = [];
  const service = new ConnectionService({
    store,
    credentials,
    logs,
    clock,
    // Backoff without jitter: the n-th retry waits exactly 2^(n-1) s.
    random: () => 1,
    createSession: (config, deps) => {
      const s = new FakeSession(config, deps.log);
      sessions.push(s);
      return s;
    },
    ...(opts.dataPlane ? { dataPlane: opts.dataPlane } : {}),
  });
  service.subscribe((e) => events.push(e));
  const added = await store.add({
    name: 'Office',
    server: { host: 'vpn.example.test' },
    username: 'alice',
    reconnect: { enabled: opts.reconnect ?? true },
  });
  if (!added.ok) throw new Error(added.error.message);
  const profile = added.value;
  const states = () => events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot.state] : []));
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    dir,
    store,
    credentials,
    logs,
    clock,
    sessions,
    events,
    service,
    profile,
    states,
    tick,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
