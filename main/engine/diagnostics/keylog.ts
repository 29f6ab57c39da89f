// `--keylog FILE` / SSLKEYLOGFILE: the TLS secrets of each session in NSS key-log format (one line per
// secret, as Node's 'keylog' event hands them over), so Wireshark can decrypt a raw capture of the
// same connection. Anyone holding the file can read the whole session: it is created 0600 and the
// caller logs a warning saying so.
import { AppendFile, type AppendFileOptions, type AppendStopped } from './append-file.js';
import type { StreamTap } from './stream-tap.js';

export const KEYLOG_WARNING =
  'TLS key logging is on: anyone who can read the key log file and a capture of this connection can decrypt all of it, including the authentication exchange. Turn it off when you are done.';

export class KeyLog implements StreamTap {
  private lines = 0;

  private constructor(private readonly file: AppendFile) {}

  /** Appends (several runs may share one SSLKEYLOGFILE, as browsers do). */
  static open(
    path: string,
    onStop: (s: AppendStopped) => void,
    owner?: AppendFileOptions['owner'],
  ): { ok: true; keylog: KeyLog } | { ok: false; message: string } {
    const f = AppendFile.open(path, { mode: 'append', onStop, ...(owner ? { owner } : {}) });
    return f.ok ? { ok: true, keylog: new KeyLog(f.file) } : f;
  }

  get lineCount(): number {
    return this.lines;
  }

  open(): void {}

  bytes(): void {}

  keylog(line: Buffer): void {
    this.lines++;
    this.file.append(line);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
