// The privileged helper's entry: root, launched by the app through pkexec or directly when the
// caller is root already. One JSON request per line on stdin, one JSON response per line on
// stdout, diagnostics on stderr. stdin is a Unix socket made by the caller: open-tun sends the
// TUN's descriptor back over it (tun-channel.ts). Everything it did is undone on `teardown`, when stdin closes
// (the parent exited or died), and on SIGTERM/SIGINT/SIGHUP; leftovers of a killed helper are
// undone when the next one starts.
import { Helper } from './helper.js';
import { LineSplitter } from '../line-splitter.js';
import { LIMITS, type Response } from '../protocol.js';
import { cleanupLeftovers } from './leftovers.js';
import { fileStateStore, STATE_DIR } from './state-store.js';
import { underStateLock } from './state-lock.js';
import { linuxSystem } from './system.js';
import { socketChannel, STDIN_FD, type TunChannel } from './tun-channel.js';
import { addonLayout, currentLayoutFacts, tunAddon } from '../../engine/tun/native-addon.js';
import { selfCheck } from './self-check.js';
import { systemNft } from './kill-switch.js';

function log(message: string): void {
  if (process.stderr.writable) process.stderr.write(`causeway-helper[${process.pid}]: ${message}\n`);
}

// When the parent dies, stderr's pipe breaks too: an EPIPE there must not kill us before we have
// undone anything.
process.stderr.on('error', () => {});

async function main(): Promise<void> {
  if (process.platform !== 'linux') {
    log(`unsupported platform ${process.platform}`);
    process.exit(2);
  }
  if (process.getuid?.() !== 0) {
    log('must run as root');
    process.exit(2);
  }
  // Before anything else is loaded or touched: the bundle refuses to run from files others could write
  // (we are root here, so root must own them).
  const checked = selfCheck({
    layout: addonLayout(currentLayoutFacts()),
    script: process.argv[1],
    runtime: process.execPath,
    trust: { uid: 0 },
  });
  if (!checked.ok) {
    log(`refusing to run: ${checked.reason}`);
    process.exit(2);
  }
  const pkexecUid = parseCallerUid(process.env.PKEXEC_UID);
  const addon = tunAddon();
  const tunChannel: TunChannel = addon.ok
    ? socketChannel(addon.addon, STDIN_FD, pkexecUid)
    : { ok: false, reason: addon.message };
  if (!tunChannel.ok) log(`the TUN cannot be handed over: ${tunChannel.reason}`);
  // A root caller (direct launch) may ask for any uid's TUN; anyone else only for their own.
  const peerUid = tunChannel.ok && tunChannel.peerUid !== 0 ? tunChannel.peerUid : undefined;
  const callerUid = pkexecUid ?? peerUid;
  const system = linuxSystem();
  await cleanupLeftovers(system, log);
  const helper = new Helper({
    system,
    store: fileStateStore(),
    log,
    tunChannel,
    nft: systemNft(),
    oneAtATime: (f) => underStateLock(STATE_DIR, 'create-tun', f, log),
    ...(callerUid === undefined ? {} : { callerUid }),
  });
  // A kill switch a killed run left keeps blocking until our client decides (kill-switch.ts).
  await helper.adoptKillSwitch();

  let chain: Promise<void> = Promise.resolve();
  let shuttingDown = false;
  const send = (r: Response): void => {
    if (process.stdout.writable) process.stdout.write(`${JSON.stringify(r)}\n`);
  };

  const shutdown = (why: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    helper.beginShutdown();
    process.stdin.pause();
    log(`${why}: tearing down`);
    // Let an in-flight request finish (each command has its own timeout), then undo everything.
    chain = chain
      .then(() => helper.teardown())
      .then(
        (r) => {
          log(`undone ${r.undone}, failed ${r.failed}`);
          process.exit(r.failed === 0 ? 0 : 1);
        },
        (e: unknown) => {
          log(`teardown crashed: ${String(e)}`);
          process.exit(1);
        },
      );
  };

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));
  process.stdout.on('error', () => shutdown('stdout closed'));
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin failed'));

  const splitter = new LineSplitter(LIMITS.maxLineBytes);
  process.stdin.on('data', (chunk: Buffer) => {
    for (const line of splitter.push(chunk)) {
      chain = chain.then(async () => {
        if (line.kind === 'too-large') {
          send({
            id: null,
            ok: false,
            error: { code: 'too-large', message: `request over ${LIMITS.maxLineBytes} bytes` },
          });
          return;
        }
        send(await helper.handleLine(line.text));
      });
    }
  });
}

function parseCallerUid(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) return undefined;
  return Number(text);
}

main().catch((e: unknown) => {
  log(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
