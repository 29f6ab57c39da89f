// Imported settings that weaken TLS or authentication, through the real backend: the preview lists
// each one (from any format, the Causeway export included), and import.commit saves such an entry only
// with acceptRisks; a plain entry needs no confirmation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../../../../main/backend/index.js';
import type { Channel, PayloadInput, ResponseEnvelope } from '../../../../main/contract/index.js';
import { importRisks } from '../../../../main/services/import/risks.js';
import { join } from 'node:path';
import { setup } from './setup.js';

async function backendOn() {
  const s = await setup();
  const backend = createBackend({
    store: s.store,
    credentials: s.credentials,
    logs: s.logs,
    connections: s.service,
    caDir: join(s.dir, 'config', 'ca'),
    host: {
      kind: 'browser',
      version: '0',
      platform: 'linux',
      chooseExportPath: async () => null,
      autostart: { get: async () => false, set: async () => undefined },
    },
  });
  const d = backend.dispatcher<null>({ isTrustedSender: () => true });
  const call = async <C extends Channel>(c: C, p: PayloadInput<C>) => {
    const r = (await d(null, c, p)) as ResponseEnvelope<C>;
    if (!r.ok) throw new Error(r.error.message);
    return r.result;
  };
  return { ...s, call };
}

const weak = {
  name: 'Weak',
  server: { host: 'weak.example.test' },
  username: 'a',
  authMethods: ['pap', 'chap', 'mschapv2'],
  allowNoAuthentication: true,
  tls: { insecure: true, pinnedSha256: 'ab'.repeat(32), caFile: '/etc/ssl/their-ca.pem' },
};
const plain = { name: 'Plain', server: { host: 'plain.example.test' }, username: 'b' };
const exportFile = (profiles: object[]) =>
  Buffer.from(JSON.stringify({ format: 'causeway-profiles', version: 1, profiles })).toString('base64');

test('importRisks names every weakening field, worst first, and nothing for the defaults', () => {
  assert.deepEqual(
    importRisks(weak as Parameters<typeof importRisks>[0]).map((r) => r.field),
    ['tls.insecure', 'allowNoAuthentication', 'tls.pinnedSha256', 'tls.caFile', 'authMethods.pap', 'authMethods.chap'],
  );
  assert.deepEqual(importRisks(plain), []);
  assert.deepEqual(
    importRisks({ ...plain, authMethods: ['mschapv2', 'eap-mschapv2'], tls: { minVersion: 'TLSv1.3' } }),
    [],
  );
});

test('the preview flags the weak entry; commit refuses it without acceptRisks and saves it with', async () => {
  const b = await backendOn();
  try {
    const p = await b.call('import.preview', { fileName: 'colleague.json', contentBase64: exportFile([weak, plain]) });
    assert.ok(p.ok, JSON.stringify(p));
    assert.equal(p.entries[0]?.risks?.length, 6);
    assert.match(p.entries[0]?.risks?.[0]?.message ?? '', /any server certificate/);
    assert.deepEqual(p.entries[1]?.risks, []);

    const refused = await b.call('import.commit', { importId: p.importId, entries: [{ index: 0 }, { index: 1 }] });
    assert.ok(refused.ok);
    assert.deepEqual(
      refused.saved.map((s) => s.profile.name),
      ['Plain'],
    );
    assert.equal(refused.failed[0]?.index, 0);
    assert.match(
      refused.failed[0]?.message ?? '',
      /Not saved: it weakens security \(tls\.insecure, allowNoAuthentication/,
    );

    const again = await b.call('import.preview', { fileName: 'colleague.json', contentBase64: exportFile([weak]) });
    assert.ok(again.ok);
    const accepted = await b.call('import.commit', {
      importId: again.importId,
      entries: [{ index: 0, acceptRisks: true }],
    });
    assert.ok(accepted.ok && accepted.saved.length === 1, JSON.stringify(accepted));
    const saved = accepted.saved[0]?.profile;
    assert.equal(saved?.tls.insecure, true);
    assert.equal(saved?.allowNoAuthentication, true);
  } finally {
    await b.cleanup();
  }
});
