// The app's services against the real SoftEther server: a profile's server list fails over (a closed
// port, then a plain HTTP server where TLS was expected) to the working server, the connected state
// and the log say why each was skipped, and the next connect starts with the one that worked; a
// profile set to "system proxy" follows GNOME's settings (gsettings with dconf in a test profile) to squid.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectionState } from '../../../main/contract/model.js';
import { SstpSession } from '../../../main/engine/session.js';
import {
  ConnectionService,
  type ConnectionServiceEvent,
} from '../../../main/services/connections/connection-service.js';
import { LastServerStore } from '../../../main/services/connections/last-server.js';
import { MemoryCredentialStore } from '../../../main/services/credentials/memory-store.js';
import { ConnectionLogs } from '../../../main/services/logs/connection-logs.js';
import { ProfileStore } from '../../../main/services/profiles/store.js';
import { gsettingsReader, proxyFromGnome } from '../../../main/services/proxy/gnome-proxy.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { startSquid, type Squid } from '../../harness/squid.js';

const skip = integrationSkip();
const PROXY_USER = 'gnomeuser';
const PROXY_PASSWORD = 'gnome-Pass.3';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(a !== null && typeof a === 'object' ? a.port : 0);
    }),
  );
}

type Remembered = { servers: Record<string, { host: string; port: number }> };

/** last-servers.json once it names `id` (bounded wait: the write follows the connected state). */
async function rememberedServers(path: string, id: string): Promise<Remembered> {
  const until = Date.now() + 5_000;
  for (;;) {
    try {
      const r = JSON.parse(readFileSync(path, 'utf8')) as Remembered;
      if (r.servers[id] !== undefined || Date.now() > until) return r;
    } catch (e) {
      if (Date.now() > until) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('app services: server failover and the GNOME system proxy, against SoftEther', { skip }, () => {
  let softether: SoftEtherServer;
  let squid: Squid;
  let dir: string;
  let httpServer: Server;
  let httpPort = 0;
  let httpConnections = 0;
  let closedPort = 0;
  let service: ConnectionService;
  let store: ProfileStore;
  const credentials = new MemoryCredentialStore();
  const events: ConnectionServiceEvent[] = [];
  let gnomeEnv: NodeJS.ProcessEnv;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-failover-'));
    softether = await startSoftEther({ name: 'cw-fo' });
    squid = await startSquid({ auth: 'digest', user: PROXY_USER, password: PROXY_PASSWORD });
    // A plain HTTP server where an SSTP server should be: TCP works, TLS cannot.
    httpServer = createServer((s) => {
      httpConnections++;
      s.on('error', () => {});
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    });
    httpPort = await listen(httpServer);
    // A port nobody listens on (bound once, then closed): the connect is refused.
    const probe = createServer();
    closedPort = await listen(probe);
    await new Promise<void>((r) => probe.close(() => r()));

    gnomeEnv = { ...process.env, XDG_CONFIG_HOME: join(dir, 'xdg'), GSETTINGS_BACKEND: 'dconf' };
    store = new ProfileStore(join(dir, 'config'));
    service = new ConnectionService({
      store,
      credentials,
      logs: new ConnectionLogs(join(dir, 'logs')),
      createSession: (config, deps) => new SstpSession(config, deps),
      lastServers: new LastServerStore(join(dir, 'config', 'last-servers.json')),
      systemProxy: (host, port) => proxyFromGnome(gsettingsReader(gnomeEnv), host, port),
    });
    service.subscribe((e) => events.push(e));
  });
  after(async () => {
    await service?.shutdown();
    await squid?.stop();
    await softether?.stop();
    httpServer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Connects and waits for the profile to be connected (or to fail, which fails the test). */
  async function connectAndWait(profileId: string): Promise<Extract<ConnectionState, { state: 'connected' }>> {
    const from = events.length;
    const started = await service.connect(profileId);
    assert.ok(started.ok, JSON.stringify(started));
    for (let i = 0; i < 600; i++) {
      for (const e of events.slice(from)) {
        if (e.type !== 'snapshot' || e.snapshot.profileId !== profileId) continue;
        if (e.snapshot.state === 'connected') return e.snapshot;
        if (e.snapshot.state === 'error') assert.fail(`connect failed: ${JSON.stringify(e.snapshot.failure)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail('not connected within 30 s');
  }

  /** Every message of the profile's attempt files (lines written before the live log is followed are only there). */
  const fileLog = (profileId: string): string =>
    readdirSync(join(dir, 'logs', profileId))
      .sort()
      .flatMap((f) => readFileSync(join(dir, 'logs', profileId, f), 'utf8').split('\n'))
      .flatMap((l) => {
        try {
          const e = JSON.parse(l) as { message?: unknown };
          return typeof e.message === 'string' ? [e.message] : [];
        } catch {
          return [];
        }
      })
      .join('\n');

  const logText = (from: number) =>
    events
      .slice(from)
      .flatMap((e) => (e.type === 'log' ? [e.line.entry.message] : []))
      .join('\n');

  it('two failing servers (closed port, then no TLS) are skipped, with why; the next connect starts with the good one', async () => {
    const added = await store.add({
      name: 'Pool',
      server: { host: '127.0.0.1', port: closedPort },
      alternateServers: [
        { host: '127.0.0.1', port: httpPort },
        { host: softether.host, port: 443 },
      ],
      username: 'testuser',
      authMethods: ['mschapv2'],
      tls: { minVersion: 'TLSv1.2', insecure: true },
      reconnect: { enabled: false },
    });
    assert.ok(added.ok);
    const id = added.value.id;
    await credentials.set(id, 'password', 'testpass');

    const from = events.length;
    const up = await connectAndWait(id);
    assert.deepEqual(up.server, { host: softether.host, port: 443 });
    assert.equal(up.skipped?.length, 2, JSON.stringify(up.skipped));
    assert.equal(up.skipped?.[0]?.server, `127.0.0.1:${closedPort}`);
    assert.match(up.skipped?.[0]?.reason ?? '', /refused/i);
    assert.equal(up.skipped?.[1]?.server, `127.0.0.1:${httpPort}`);
    assert.match(up.skipped?.[1]?.reason ?? '', /did not answer with TLS/);
    assert.doesNotMatch(up.skipped?.[1]?.reason ?? '', /minimum TLS version/);
    const log = logText(from);
    assert.match(
      log,
      new RegExp(`skipping 127\\.0\\.0\\.1:${closedPort}: .*refused.*; trying 127\\.0\\.0\\.1:${httpPort}`),
    );
    assert.match(
      log,
      new RegExp(`skipping 127\\.0\\.0\\.1:${httpPort}: .*did not answer with TLS.*; trying ${softether.host}`),
    );
    await service.disconnect(id);

    // The service writes it when the connection is up, without holding the connection back for it.
    const remembered = await rememberedServers(join(dir, 'config', 'last-servers.json'), id);
    assert.deepEqual(remembered.servers[id], { host: softether.host, port: 443 });

    const httpBefore = httpConnections;
    const again = events.length;
    const second = await connectAndWait(id);
    assert.deepEqual(second.server, { host: softether.host, port: 443 });
    assert.equal(second.skipped, undefined, 'nothing skipped: the good server was tried first');
    assert.match(
      fileLog(id),
      new RegExp(`starting with ${softether.host.replace(/\./g, '\\.')}:443, the server that connected last time`),
    );
    assert.match(logText(again), new RegExp(`server 1 of 3: ${softether.host.replace(/\./g, '\\.')}:443`));
    assert.equal(httpConnections, httpBefore, 'the failing servers were not dialled first');
    await service.disconnect(id);
  });

  it('a "system proxy" profile goes through the proxy GNOME names (with its sign-in), and direct for an ignored host', async () => {
    const gs = (...args: string[]) =>
      execFileSync('dbus-run-session', ['--', 'sh', '-c', args.map((a) => `gsettings set ${a}`).join(' && ')], {
        env: gnomeEnv,
        stdio: ['ignore', 'ignore', 'ignore'],
      });
    gs(
      "org.gnome.system.proxy mode 'manual'",
      'org.gnome.system.proxy use-same-proxy true',
      `org.gnome.system.proxy.http host '${squid.host}'`,
      `org.gnome.system.proxy.http port ${squid.port}`,
      'org.gnome.system.proxy.http use-authentication true',
      `org.gnome.system.proxy.http authentication-user '${PROXY_USER}'`,
      `org.gnome.system.proxy.http authentication-password '${PROXY_PASSWORD}'`,
      `org.gnome.system.proxy ignore-hosts "['localhost', '::1']"`,
    );
    const added = await store.add({
      name: 'Behind GNOME proxy',
      server: { host: softether.host, port: 443 },
      username: 'testuser',
      authMethods: ['mschapv2'],
      tls: { minVersion: 'TLSv1.2', insecure: true },
      systemProxy: true,
      reconnect: { enabled: false },
    });
    assert.ok(added.ok);
    const id = added.value.id;
    await credentials.set(id, 'password', 'testpass');
    const signedIn = () =>
      squid
        .accessLog()
        .split('\n')
        .filter((l) => l.includes(` ${PROXY_USER} `)).length;
    // squid writes a CONNECT's access.log line when the tunnel closes: read it after a disconnect.
    const settled = async (want: number) => {
      for (let i = 0; i < 100 && signedIn() < want; i++) await new Promise((r) => setTimeout(r, 50));
      return signedIn();
    };

    const before = signedIn();
    await connectAndWait(id);
    const log = fileLog(id);
    assert.match(
      log,
      new RegExp(
        `system proxy: ${squid.host.replace(/\./g, '\\.')}:${squid.port} as ${PROXY_USER} \\(GNOME settings\\)`,
      ),
    );
    assert.match(log, /signed in to the proxy with Digest/);
    assert.ok(!log.includes(PROXY_PASSWORD), 'the proxy password is not logged');
    await service.disconnect(id);
    assert.equal(await settled(before + 1), before + 1, 'one signed-in CONNECT reached squid');

    gs(`org.gnome.system.proxy ignore-hosts "['localhost', '${softether.host}']"`);
    await connectAndWait(id);
    assert.match(
      fileLog(id),
      new RegExp(`system proxy: direct \\(GNOME ignore-hosts lists ${softether.host.replace(/\./g, '\\.')}\\)`),
    );
    await service.disconnect(id);
    assert.equal(await settled(before + 2), before + 1, 'nothing more reached squid');
  });
});
