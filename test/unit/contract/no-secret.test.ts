// Every channel, on the real backend (memory keychain, scripted sessions): no response and no event
// ever carries a secret the renderer sent or the keychain holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHANNELS, type Channel } from '../../../main/contract/index.js';
import { failure } from '../../../main/engine/failure.js';
import { MemoryCredentialStore } from '../../../main/services/credentials/memory-store.js';
import { ConnectionLogs } from '../../../main/services/logs/connection-logs.js';
import { LoggingSetting } from '../../../main/services/logs/logging-setting.js';
import { ProfileStore } from '../../../main/services/profiles/store.js';
import { createBackend } from '../../../main/backend/index.js';
import { ConnectionService } from '../../../main/services/connections/connection-service.js';
import { FakeSession } from '../services/connections/fake-session.js';
import { issue } from '../services/trust/helpers/certs.js';

const SECRET = 'S3cr3t-Never-Echoed';
const IMPORTED = 'Imported-Secret-42';
const PROXY_SECRET = 'Proxy-Secret-Never-Echoed';
const P12_SECRET = 'P12-Passphrase-Never-Echoed';

test('no response or event carries a secret, on any channel', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-contract-'));
  try {
    const store = new ProfileStore(join(dir, 'c'));
    const credentials = new MemoryCredentialStore();
    // Verbose is turned on below (settings.setLogging) before any connection: the fullest logs still leak nothing.
    const logging = new LoggingSetting(join(dir, 'c', 'logging.json'));
    const logs = new ConnectionLogs(join(dir, 'l'), { verbose: () => logging.verbose });
    const sessions: FakeSession[] = [];
    const connections = new ConnectionService({
      store,
      credentials,
      logs,
      createSession: (config, deps) => {
        const s = new FakeSession(config, deps.log);
        sessions.push(s);
        // Log the secret on purpose, then fail on an untrusted certificate so a prompt is opened.
        setImmediate(() => {
          deps.log?.({ time: 0, level: 'debug', phase: 'auth', message: `password ${config.credentials.password}` });
          s.fail(
            failure('tls', 'certificate-untrusted', 'untrusted', {
              certificate: {
                subject: 'CN=a',
                issuer: 'CN=a',
                serialNumber: '1',
                validFrom: '2020-01-01T00:00:00Z',
                validTo: '2040-01-01T00:00:00Z',
                subjectAltNames: [],
                sha256: 'AA:'.repeat(31) + 'AA',
                selfSigned: true,
              },
            }),
          );
        });
        return s;
      },
    });
    const backend = createBackend({
      store,
      credentials,
      logs,
      logging,
      connections,
      caDir: join(dir, 'ca'),
      host: { kind: 'browser', version: '0', platform: 'linux', chooseExportPath: async (n) => join(dir, n) },
    });
    const ca = { fileName: 'ca.pem', pem: issue({ cn: 'Lab CA', isCa: true }).pem };
    const secrets = { password: SECRET, proxyPassword: PROXY_SECRET, pkcs12Passphrase: P12_SECRET };
    const events: unknown[] = [];
    backend.subscribe((m) => events.push(m));
    const call = backend.dispatcher<null>({ isTrustedSender: () => true });
    const responses: unknown[] = [];
    const invoke = async (c: Channel, p: unknown) => {
      const r = await call(null, c, p);
      responses.push(r);
      return r;
    };
    const draft = { name: 'Lab', server: { host: 'vpn.example.test' }, username: 'u' };
    const created = await invoke('profiles.create', { draft, password: SECRET });
    assert.ok(created.ok);
    const id = (created as unknown as { result: { profile: { id: string } } }).result.profile.id;
    const nm = `[connection]\nid=Imp\ntype=vpn\n[vpn]\ngateway=10.0.0.1\nuser=x\nservice-type=org.freedesktop.NetworkManager.sstp\n[vpn-secrets]\npassword=${IMPORTED}\n`;
    const preview = await invoke('import.preview', {
      fileName: 'a.nmconnection',
      contentBase64: Buffer.from(nm).toString('base64'),
    });
    const importId = (preview as unknown as { result: { importId: string } }).result.importId;

    const payloads: Record<Channel, unknown> = {
      'app.info': undefined,
      'settings.get': undefined,
      'settings.setAutostart': { enabled: true },
      'settings.metrics': undefined,
      'settings.setMetrics': { enabled: false, listen: '127.0.0.1:9464' },
      'settings.logging': undefined,
      'settings.setLogging': { verbose: true },
      'settings.killSwitch': undefined,
      'settings.setKillSwitch': { setting: { mode: 'on' } },
      'profiles.list': undefined,
      'profiles.validate': { draft },
      // A client certificate that cannot be opened: its field warning must not quote the passphrase either.
      'profiles.create': {
        draft: {
          ...draft,
          name: 'Lab 2',
          proxy: { host: 'proxy.example.test', port: 3128 },
          tls: { clientCertificate: { pkcs12File: join(dir, 'missing.p12') } },
        },
        ...secrets,
        ca,
      },
      'profiles.update': { id, draft: { ...draft, name: 'Lab renamed' }, ...secrets, ca },
      'profiles.setPassword': { id, password: SECRET },
      'import.preview': { fileName: 'a.nmconnection', contentBase64: Buffer.from(nm).toString('base64') },
      'import.commit': { importId, entries: [{ index: 0 }] },
      'connections.list': undefined,
      'connections.connect': { profileId: id, password: SECRET },
      'connections.test': { profileId: id, password: SECRET },
      'connections.ping': { profileId: id },
      'connections.disconnect': { profileId: id },
      'trust.inspectCa': ca,
      'trust.pending': undefined,
      'trust.accept': { promptId: '00000000-0000-0000-0000-000000000000' },
      'trust.dismiss': { promptId: '00000000-0000-0000-0000-000000000000' },
      'otp.pending': undefined,
      'otp.answer': { promptId: '00000000-0000-0000-0000-000000000000', code: SECRET },
      'otp.dismiss': { promptId: '00000000-0000-0000-0000-000000000000' },
      'logs.attempts': { profileId: id },
      'logs.read': { profileId: id, attempt: 1 },
      'logs.export': { profileId: id, attempt: 1 },
      'doctor.run': { profileId: id, password: SECRET, mtu: false },
      'doctor.saveReport': { profileId: id, includeUser: true },
      'profiles.remove': { id },
    };
    assert.deepEqual(Object.keys(payloads).sort(), [...CHANNELS].sort(), 'every channel is exercised');
    for (const c of Object.keys(payloads) as Channel[]) {
      const r = await invoke(c, payloads[c]);
      assert.ok(r.ok, `${c}: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 5));
    }
    const wire = JSON.stringify({ responses, events });
    assert.ok(!wire.includes(SECRET), 'a typed secret came back');
    assert.ok(!wire.includes(IMPORTED), 'an imported secret came back');
    assert.ok(!wire.includes(PROXY_SECRET), 'a proxy password came back');
    assert.ok(!wire.includes(P12_SECRET), 'a PKCS#12 passphrase came back');
    assert.ok(events.some((e) => (e as { event: string }).event === 'trust.prompt'));
    assert.ok(events.some((e) => (e as { event: string }).event === 'log'));
    await backend.shutdown();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
