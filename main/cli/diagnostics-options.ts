// --capture and --keylog (and SSLKEYLOGFILE) for `test` and `connect`: opened before the first
// connection, handed to the session as one tap, closed (flushed) when the command ends. A failing
// disk only stops the file, with a warning; it never stops the tunnel.
import type { Command } from 'commander';
import type { AppendStopped } from '../engine/diagnostics/append-file.js';
import { KEYLOG_WARNING, KeyLog } from '../engine/diagnostics/keylog.js';
import { SstpCapture } from '../engine/diagnostics/sstp-capture.js';
import { combineTaps, guardTap, type StreamTap } from '../engine/diagnostics/stream-tap.js';
import type { LogEntry } from '../engine/log.js';
import { invokerOfThisProcess } from './sudo/invoker.js';

export interface DiagnosticsCliOptions {
  capture?: string;
  keylog?: string;
}

export function addDiagnosticsOptions(cmd: Command): Command {
  return cmd
    .option(
      '--capture <file.pcapng>',
      'write the decrypted SSTP stream (HTTP, SSTP, PPP, inner IP) as pcapng for Wireshark; passwords and challenge responses are blanked',
    )
    .option(
      '--keylog <file>',
      'append the TLS secrets in NSS key-log format (as SSLKEYLOGFILE, which is used when set) so Wireshark can decrypt a raw capture; weakens this session',
    );
}

export interface Diagnostics {
  /** undefined when neither is on: the session's data path is then untouched. */
  readonly tap: StreamTap | undefined;
  /** Flushes and closes the files; says what was written. */
  close(): Promise<void>;
}

export type DiagnosticsOpen =
  { readonly ok: true; readonly diagnostics: Diagnostics } | { readonly ok: false; readonly message: string };

const warn = (message: string): LogEntry => ({ time: Date.now(), level: 'warn', phase: 'connected', message });

function stoppedMessage(what: string, s: AppendStopped): string {
  const why =
    s.reason === 'disk-full'
      ? 'the disk is full'
      : s.reason === 'backlog'
        ? 'the disk cannot keep up'
        : 'a write failed';
  return `the ${what} ${s.path} stopped: ${why} (${s.detail}); the connection goes on without it`;
}

export function openDiagnostics(
  o: DiagnosticsCliOptions,
  env: NodeJS.ProcessEnv,
  log: (e: LogEntry) => void,
): DiagnosticsOpen {
  const keylogPath = o.keylog ?? (env['SSLKEYLOGFILE'] || undefined);
  if (o.capture === undefined && keylogPath === undefined)
    return { ok: true, diagnostics: { tap: undefined, close: () => Promise.resolve() } };
  // `sudo causeway connect --capture x`: x belongs to the user who asked, not to root.
  const invoker = invokerOfThisProcess(env);
  const owner =
    invoker.ok && invoker.invoker.kind === 'sudo'
      ? { uid: invoker.invoker.user.uid, gid: invoker.invoker.user.gid }
      : undefined;
  let capture: SstpCapture | undefined;
  let keylog: KeyLog | undefined;
  if (o.capture !== undefined) {
    const c = SstpCapture.open(o.capture, {
      onStop: (s) => log(warn(stoppedMessage('capture', s))),
      ...(owner ? { owner } : {}),
    });
    if (!c.ok) return { ok: false, message: `--capture: ${c.message}` };
    capture = c.capture;
  }
  if (keylogPath !== undefined) {
    const k = KeyLog.open(keylogPath, (s) => log(warn(stoppedMessage('TLS key log', s))), owner);
    if (!k.ok) {
      void capture?.close();
      return { ok: false, message: `${o.keylog !== undefined ? '--keylog' : 'SSLKEYLOGFILE'}: ${k.message}` };
    }
    keylog = k.keylog;
    log(warn(`${KEYLOG_WARNING} (${keylogPath})`));
  }
  const combined = combineTaps([capture, keylog]);
  const tap =
    combined && guardTap(combined, (e) => log(warn(`diagnostics stopped after an internal error: ${String(e)}`)));
  return {
    ok: true,
    diagnostics: {
      tap,
      async close() {
        await Promise.all([capture?.close(), keylog?.close()]);
        if (capture)
          log({
            time: Date.now(),
            level: 'info',
            phase: 'disconnect',
            message: `capture: ${capture.packetCount} packets, ${capture.bytesWritten} bytes in ${o.capture ?? ''}`,
          });
        if (keylog)
          log({
            time: Date.now(),
            level: 'info',
            phase: 'disconnect',
            message: `TLS key log: ${keylog.lineCount} lines in ${keylogPath ?? ''}`,
          });
      },
    },
  };
}
