// How the profile verbs answer: text for people, or one JSON object per line with --json, where an error
// is a line too ({"event":"error",…}) so a script reading stdout always gets an answer it can parse.
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { ProfileStoreError } from '../../services/profiles/store.js';

export interface Reply {
  readonly json: boolean;
  /** A JSON line (--json) or the text (otherwise), on stdout. */
  data(json: Record<string, unknown>, text: string): void;
  /** Remarks for people; with --json they travel in the data instead. */
  note(text: string): void;
  /** Reports the error and sets the exit code. */
  fail(code: number, message: string): void;
}

export function reply(ctx: CliContext, json: boolean | undefined): Reply {
  const asJson = json === true;
  return {
    json: asJson,
    data: (j, text) => ctx.stdout(asJson ? JSON.stringify(j) + '\n' : text),
    note: (text) => {
      if (!asJson) ctx.stderr(text.endsWith('\n') ? text : `${text}\n`);
    },
    fail: (code, message) => {
      if (asJson) ctx.stdout(JSON.stringify({ event: 'error', message }) + '\n');
      else ctx.stderr(`causeway: ${message}\n`);
      ctx.setExitCode(code);
    },
  };
}

/** Bad values are the caller's to fix (usage); everything else is a failure of the operation. */
export function exitCodeForStoreError(e: ProfileStoreError): number {
  return e.kind === 'invalid' ? EXIT.usage : EXIT.failure;
}
