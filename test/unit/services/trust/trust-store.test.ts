// Pinning and CA import through the profile store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileStore } from '../../../../main/services/profiles/store.js';
import { deleteProfile } from '../../../../main/services/profiles/delete-profile.js';
import { MemoryCredentialStore } from '../../../../main/services/credentials/memory-store.js';
import { pinCertificate, unpinCertificate } from '../../../../main/services/trust/pinning.js';
import { importCaFile } from '../../../../main/services/trust/ca-import.js';
import { trustPolicyFor } from '../../../../main/services/trust/anchors.js';
import { judge } from '../../engine/transport/helpers/tls-server.js';
import { issue } from './helpers/certs.js';

const HOST = 'sstp.example.test';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-trust-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new ProfileStore(join(dir, 'config'));
  const added = await store.add({ name: 'Office', server: { host: HOST }, username: 'alice' });
  assert.ok(added.ok);
  return { dir, store, profile: added.value, caDir: join(dir, 'config', 'ca') };
}

test('trust on first use: unknown → pin → trusted; a changed certificate → pin-mismatch; unpin', async (t) => {
  const { store, profile } = await setup(t);
  const first = issue({ cn: HOST, dns: [HOST] });
  const policyBefore = await trustPolicyFor(profile);
  assert.ok(policyBefore.ok);
  const before = await judge([first], policyBefore.policy);
  assert.ok(!before.ok && before.code === 'certificate-untrusted');

  const pinned = await pinCertificate(store, profile.id, first.der);
  assert.ok(pinned.ok);
  assert.match(pinned.value.tls.pinnedSha256 ?? '', /^[0-9a-f]{64}$/);
  const reloaded = await store.get(profile.id);
  assert.ok(reloaded.ok);
  const policy = await trustPolicyFor(reloaded.value);
  assert.ok(policy.ok);
  assert.equal(policy.policy.pinSha256, reloaded.value.tls.pinnedSha256);
  const same = await judge([first], policy.policy);
  assert.ok(same.ok, same.ok ? '' : same.message);
  const changed = await judge([issue({ cn: HOST, dns: [HOST] })], policy.policy);
  assert.ok(!changed.ok && changed.code === 'certificate-pin-mismatch');

  const unpinned = await unpinCertificate(store, profile.id);
  assert.ok(unpinned.ok);
  assert.equal(unpinned.value.tls.pinnedSha256, undefined);
});

test('importing a CA file copies it under the config dir, references it, and makes its servers trusted', async (t) => {
  const { dir, store, profile, caDir } = await setup(t);
  const ca = issue({ cn: 'Private CA', isCa: true });
  const leaf = issue({ cn: HOST, dns: [HOST], issuer: ca });
  const source = join(dir, 'downloaded-ca.crt');
  await writeFile(source, ca.der); // DER in, normalized PEM out

  const r = await importCaFile(store, caDir, profile.id, source);
  assert.ok(r.ok);
  assert.equal(r.value.file, join(caDir, `${profile.id}.pem`));
  assert.equal(r.value.profile.tls.caFile, r.value.file);
  assert.deepEqual(r.value.warnings, []);
  assert.equal(r.value.certificates[0]?.subject, 'CN=Private CA, O=Causeway Tests');
  assert.match(await readFile(r.value.file, 'utf8'), /^-----BEGIN CERTIFICATE-----/);

  await rm(source); // the profile does not depend on the original any more
  const policy = await trustPolicyFor(r.value.profile);
  assert.ok(policy.ok && policy.policy.caPem?.startsWith('-----BEGIN CERTIFICATE-----'));
  const judged = await judge([leaf], policy.policy);
  assert.ok(judged.ok, judged.ok ? '' : judged.message);

  // Deleting the profile deletes the imported CA copy too.
  const deleted = await deleteProfile({ store, credentials: new MemoryCredentialStore(), caDir }, profile.id);
  assert.ok(deleted.ok);
  await assert.rejects(access(r.value.file));
});

test('a CA file that is not a certificate is refused and the profile is untouched', async (t) => {
  const { dir, store, profile, caDir } = await setup(t);
  const source = join(dir, 'notes.txt');
  await writeFile(source, 'this is not a certificate');
  const r = await importCaFile(store, caDir, profile.id, source);
  assert.ok(!r.ok && r.error.kind === 'not-a-certificate');
  const p = await store.get(profile.id);
  assert.ok(p.ok && p.value.tls.caFile === undefined);
  const missing = await importCaFile(store, caDir, profile.id, join(dir, 'nope.pem'));
  assert.ok(!missing.ok && missing.error.kind === 'unreadable');
});

test('importing a server certificate (not a CA) or an expired one warns', async (t) => {
  const { dir, store, profile, caDir } = await setup(t);
  const source = join(dir, 'server.pem');
  await writeFile(
    source,
    issue({ cn: HOST, dns: [HOST], notBefore: new Date(Date.now() - 9e9), notAfter: new Date(Date.now() - 1e9) }).pem,
  );
  const r = await importCaFile(store, caDir, profile.id, source);
  assert.ok(r.ok);
  assert.equal(r.value.warnings.length, 2);
  assert.match(r.value.warnings.join('\n'), /not a CA certificate/);
  assert.match(r.value.warnings.join('\n'), /expired/);
});

test('an unreadable CA file referenced by a profile is a typed error', async () => {
  const r = await trustPolicyFor({ tls: { minVersion: 'TLSv1.2', insecure: false, caFile: '/nonexistent/ca.pem' } });
  assert.ok(!r.ok && r.error.kind === 'ca-file-unreadable');
});
