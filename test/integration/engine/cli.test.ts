// `causeway test` end to end against the strict peer: the built CLI in a child process, its JSON
// result line and its exit code. The peer runs in this process, so the child is spawned
// asynchronously (a synchronous spawn would starve the peer's event loop).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startStrictPeer, type StrictPeer } from '../../peers/strict-sstp-server.js';
import { personas } from '../../peers/personas.js';
import type { PartialScript } from '../../peers/script.js';
import { assertNothingLeftOpen, withPeer } from './helpers.js';
import { runCli as runCauseway } from '../../support/run-cli.js';

const BUILT = existsSync(fileURLToPath(new URL('../../../dist/main/cli/index.js', import.meta.url)));
const SKIP = BUILT ? false : 'the CLI is not built (npm run build)';

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last JSON line, `{"event":"result",…}`. */
  readonly result: Record<string, unknown> & {
    ok?: boolean;
    failure?: { code?: string; certificate?: { sha256?: string } };
  };
}

async function runCli(args: readonly string[], password: string, timeoutMs = 20_000): Promise<CliRun> {
  const r = await runCauseway(args, `${password}\n`, { timeoutMs });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, result: (r.result ?? {}) as CliRun['result'] };
}

function target(peer: StrictPeer): string {
  return `${peer.host}:${peer.port}`;
}

async function withCliPeer(script: PartialScript, body: (peer: StrictPeer) => Promise<void>): Promise<void> {
  const peer = await startStrictPeer(script);
  await withPeer(peer, () => body(peer));
}

describe('causeway test (CLI) against the strict peer', { skip: SKIP }, () => {
  after(() => assertNothingLeftOpen());

  test('success: exit 0, JSON result with address, peer, DNS, echo and fingerprint; binding verified', async () => {
    await withCliPeer({ auth: { methods: ['mschapv2'] } }, async (peer) => {
      const run = await runCli(
        [
          'test',
          target(peer),
          '--user',
          'testuser',
          '--password-stdin',
          '--pin',
          `sha256:${peer.certSha256}`,
          '--json',
        ],
        'testpass',
      );
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${peer.transcript()}`);
      assert.equal(run.result.event, 'result');
      assert.equal(run.result.ok, true);
      assert.deepEqual(run.result.ipv4, { address: '10.77.0.2', peer: '10.77.0.1', dns: ['10.77.0.53', '10.77.0.54'] });
      assert.equal((run.result.echo as { ok?: boolean } | undefined)?.ok, true);
      assert.equal(
        (run.result.tls as { certificateSha256?: string }).certificateSha256?.replace(/:/g, '').toLowerCase(),
        peer.certSha256,
      );
      assert.doesNotMatch(run.stdout + run.stderr, /testpass/);
      assert.equal((await peer.waitFor('call-connected')).ok, true);
      await peer.waitFor('closed');
      assert.deepEqual(peer.violations, [], peer.transcript());
    });
  });

  test('wrong password: exit 5', async () => {
    await withCliPeer({ auth: { methods: ['mschapv2'] } }, async (peer) => {
      const run = await runCli(
        [
          'test',
          target(peer),
          '--user',
          'testuser',
          '--password-stdin',
          '--pin',
          `sha256:${peer.certSha256}`,
          '--json',
        ],
        'wrong-secret',
      );
      assert.equal(run.code, 5, `${run.stdout}\n${run.stderr}`);
      assert.equal(run.result.ok, false);
      assert.equal(run.result.failure?.code, 'auth-failed');
      assert.doesNotMatch(run.stdout + run.stderr, /wrong-secret/);
    });
  });

  test('untrusted certificate without a pin: exit 4, fingerprint shown', async () => {
    await withCliPeer({}, async (peer) => {
      const run = await runCli(['test', target(peer), '--user', 'testuser', '--password-stdin', '--json'], 'testpass');
      assert.equal(run.code, 4, `${run.stdout}\n${run.stderr}`);
      assert.equal(run.result.failure?.code, 'certificate-untrusted');
      assert.equal(run.result.failure?.certificate?.sha256?.replace(/:/g, '').toLowerCase(), peer.certSha256);
    });
  });

  test('a server that cannot prove the password (wrong S=): exit 6', async () => {
    await withCliPeer({ auth: { methods: ['mschapv2'], wrongAuthenticatorResponse: true } }, async (peer) => {
      const run = await runCli(
        [
          'test',
          target(peer),
          '--user',
          'testuser',
          '--password-stdin',
          '--pin',
          `sha256:${peer.certSha256}`,
          '--auth',
          'mschapv2',
          '--json',
        ],
        'testpass',
      );
      assert.equal(run.code, 6, `${run.stdout}\n${run.stderr}`);
      assert.equal(run.result.failure?.code, 'server-auth-failed');
      assert.deepEqual(peer.all('call-connected'), []);
    });
  });

  // Takes the CLI's full 8 s IPv6 wait today: the Protocol-Reject of IPv6CP arrives before IPv4 is
  // up, and runTest's waitForIpv6 only listens for events that come after connect() resolved.
  test('accel-ppp-like server with IPv6 requested: exit 0, IPv6 reported unavailable', async () => {
    await withCliPeer(personas.accelPppLike(), async (peer) => {
      const run = await runCli(
        [
          'test',
          target(peer),
          '--user',
          'testuser',
          '--password-stdin',
          '--pin',
          `sha256:${peer.certSha256}`,
          '--ipv6',
          '--json',
        ],
        'testpass',
      );
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${peer.transcript()}`);
      assert.equal(run.result.ipv6, false);
      assert.deepEqual((run.result.ipv4 as { dns?: unknown }).dns, []);
      assert.deepEqual(peer.violations, [], peer.transcript());
    });
  });
});
