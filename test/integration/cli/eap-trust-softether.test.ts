// EAP-TLS through a saved profile, as a user runs it (the built CLI in a child process, a real Secret
// Service, the real SoftEther server with a certificate-authenticated user): the profile pins the
// sign-in (EAP) server's certificate with `profiles add --eap-pin`, and `causeway test NAME` signs in
// with the client certificate alone — no password saved, none asked. A wrong --eap-pin is refused
// inside EAP before our certificate leaves, with a hint that names --eap-pin and the real fingerprint.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestCa } from '../../harness/softether-certs.js';
import { addCertificateUser } from '../../harness/softether-eap-tls.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { runCli, type CliRun } from '../../support/run-cli.js';
import { keyringToolsPresent, startPrivateKeyring, type PrivateKeyring } from '../services/helpers/private-keyring.js';

const USER = 'certuser';
const NAME = 'EapCorp';
const skip =
  integrationSkip() || (keyringToolsPresent() ? false : 'dbus-daemon / gnome-keyring-daemon / dbus-send not installed');

function show(run: CliRun): string {
  return `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}

describe('EAP-TLS via a saved profile with an EAP pin, against SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let keyring: PrivateKeyring;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const userCa = makeTestCa('Causeway EAP-trust user CA');
  const cert = userCa.issue({ commonName: USER });
  const cw = (args: string[], stdin?: string) => runCli(args, stdin, { env, timeoutMs: 60_000 });

  before(async () => {
    keyring = await startPrivateKeyring({ unlock: true });
    dir = await mkdtemp(join(tmpdir(), 'cw-cli-eaptrust-'));
    env = { ...keyring.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
    server = await startSoftEther({ name: 'cw-eaptrust' });
    await addCertificateUser(server, USER, userCa.certPem);
  });
  after(async () => {
    await server?.stop();
    await keyring?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('profiles add --auth eap-tls --eap-pin saves the pin; the client certificate is set in the profile file', async () => {
    const add = await cw([
      'profiles',
      'add',
      NAME,
      '--server',
      `${server.host}:${server.port}`,
      '--user',
      USER,
      '--auth',
      'eap-tls',
      '--pin',
      `sha256:${server.certDerSha256}`,
      '--eap-pin',
      `sha256:${server.certDerSha256.toUpperCase()}`,
      '--json',
    ]);
    assert.equal(add.code, 0, show(add));
    // No CLI flag for the client certificate here (the editor and import set it): write it into the
    // stored profile, as the editor would. A PKCS#12 without a passphrase needs no keychain entry.
    const p12 = join(dir, 'certuser.p12');
    await writeFile(p12, cert.pfx(''));
    const entries = await readdir(join(dir, 'config'), { recursive: true });
    const file = entries.map((e) => join(dir, 'config', e)).find((p) => p.endsWith('profiles.json'));
    assert.ok(file, `profiles.json under ${dir}/config: ${entries.join(', ')}`);
    const doc = JSON.parse(await readFile(file, 'utf8')) as {
      profiles: { name: string; tls: Record<string, unknown>; eapTrust?: unknown }[];
    };
    const p = doc.profiles.find((x) => x.name === NAME);
    assert.ok(p);
    assert.deepEqual(p.eapTrust, { pinnedSha256: server.certDerSha256 });
    p.tls['clientCertificate'] = { pkcs12File: p12 };
    await writeFile(file, JSON.stringify(doc, null, 2));
  });

  it('causeway test NAME: signs in with EAP-TLS and the pinned inner certificate, no password asked', async () => {
    const run = await cw(['test', NAME, '--json']);
    assert.equal(run.code, 0, show(run));
    assert.equal(run.result?.['ok'], true, show(run));
    assert.match(JSON.stringify(run.result), /eap-tls/);
    assert.doesNotMatch(run.stdout + run.stderr, /password/i);
  });

  it('a wrong --eap-pin: the typed failure, and the hint names --eap-pin with the presented fingerprint', async () => {
    const edit = await cw(['profiles', 'edit', NAME, '--eap-pin', `sha256:${'00'.repeat(32)}`]);
    assert.equal(edit.code, 0, show(edit));
    const run = await cw(['test', NAME, '--json']);
    assert.notEqual(run.code, 0, show(run));
    const hint = run.events.find((e) => e['event'] === 'eap-trust-hint');
    assert.ok(hint, show(run));
    assert.equal(hint['pin'], `sha256:${server.certDerSha256}`);
    assert.equal(hint['command'], `causeway profiles edit ${NAME} --eap-pin sha256:${server.certDerSha256}`);
    assert.equal(
      run.events.some((e) => e['event'] === 'trust-hint'),
      false,
      'never offered as the outer --pin',
    );
    const failure = run.result?.['failure'] as { code?: string; phase?: string; message?: string } | undefined;
    assert.equal(failure?.code, 'server-auth-failed', show(run));
    assert.equal(failure?.phase, 'auth');
    assert.match(
      failure?.message ?? '',
      /inside EAP-TLS is not trusted: it is not the certificate this profile pins.*before sending your certificate/,
    );
    const text = await cw(['test', NAME]);
    assert.match(
      text.stdout + text.stderr,
      /sign-in \(EAP\) server certificate is not trusted[\s\S]*--eap-pin sha256:/,
    );
  });

  it("causeway test NAME --eap-pin RIGHT: the flag wins over the profile's wrong pin for this run only", async () => {
    const run = await cw(['test', NAME, '--eap-pin', `sha256:${server.certDerSha256}`, '--json']);
    assert.equal(run.code, 0, show(run));
    const shown = await cw(['profiles', 'show', NAME]);
    assert.match(shown.stdout, /EAP server +trusts pinned certificate SHA-256 00:00/, 'the saved profile is unchanged');
  });
});
