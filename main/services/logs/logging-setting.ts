// The app's "Verbose connection logs" choice (Preferences), kept in <config>/logging.json. Off, each
// attempt's file keeps debug lines only up to a budget (attempt-file.ts); on, it keeps all of them.
// ConnectionLogs reads `verbose` when an attempt starts, so a change applies from the next attempt.
// A file that cannot be read or does not match the schema means "off" plus a warning: a hand-edited or
// truncated settings file must never stop the app from starting.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../profiles/atomic-write.js';

const SettingFile = z.strictObject({ version: z.literal(1), verbose: z.boolean() });

export type LoggingSettingSave =
  { readonly ok: true; readonly verbose: boolean } | { readonly ok: false; readonly message: string };

export class LoggingSetting {
  private current = false;
  /** Why the saved file was not used (null: it was, or there was none); cleared by a successful save. */
  private problem: string | null = null;

  constructor(
    private readonly file: string,
    warn: (message: string) => void = (m) => console.error(`[settings] ${m}`),
  ) {
    const loaded = load(file);
    if (loaded.ok) this.current = loaded.verbose;
    else if (loaded.problem) {
      this.problem = `${file} ${loaded.problem}; verbose connection logs are off until the setting is saved again.`;
      warn(this.problem);
    }
  }

  get verbose(): boolean {
    return this.current;
  }

  get warning(): string | null {
    return this.problem;
  }

  async set(verbose: boolean): Promise<LoggingSettingSave> {
    try {
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, verbose }) + '\n');
    } catch (e) {
      // Not saved: keep what was in force, so the panel and the next attempt agree with the file.
      return { ok: false, message: `The setting could not be saved: ${(e as Error).message}` };
    }
    this.current = verbose;
    this.problem = null;
    return { ok: true, verbose };
  }
}

type Loaded = { ok: true; verbose: boolean } | { ok: false; problem: string | null };

function load(file: string): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    // No file yet is the normal first run, not something to warn about.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, problem: null };
    return { ok: false, problem: `could not be read (${(e as Error).message})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not valid JSON' };
  }
  const parsed = SettingFile.safeParse(json);
  if (!parsed.success)
    return { ok: false, problem: `is not a logging setting (expected {"version":1,"verbose":true|false})` };
  return { ok: true, verbose: parsed.data.verbose };
}
