// The text messages MS-CHAPv2 carries in Success and Failure packets (RFC 2759 §5–6).
import { bad, ok } from '../../bytes.js';
import type { Decoded } from '../../bytes.js';

export interface MsChapV2FailureInfo {
  /** E=: the Windows error code (691 bad credentials, 646–649, 709 …). */
  readonly error: number;
  /** R=1 when the server would accept a retry. */
  readonly retry: boolean;
  /** V=: the server's password-change protocol version, if given. */
  readonly version?: number;
  /** M=: free text for the user, if given. */
  readonly message?: string;
}

// Failure (§6): "E=eeeeeeeeee R=r C=cccccccccccccccccccccccccccccccc V=vvvvvvvvvv M=<msg>"
// E is required; the others are optional in practice (accel-ppp sends "E=691 R=0 V=3 M=…", old
// servers omit V and M). M runs to the end of the message and may contain spaces.
export function parseFailureMessage(text: string): Decoded<MsChapV2FailureInfo> {
  const WHAT = 'MS-CHAPv2 Failure message';
  const mAt = text.search(/(^|\s)M=/);
  const head = mAt === -1 ? text : text.slice(0, mAt);
  const message = mAt === -1 ? undefined : text.slice(mAt).replace(/^\s*M=/, '');
  const fields = new Map<string, string>();
  for (const token of head.trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0) fields.set(token.slice(0, eq).toUpperCase(), token.slice(eq + 1));
  }
  const e = fields.get('E');
  if (e === undefined || !/^\d{1,10}$/.test(e))
    return bad(WHAT, 'E', e === undefined ? 'missing' : `not a number: ${e.slice(0, 12)}`);
  const v = fields.get('V');
  return ok({
    error: Number(e),
    retry: fields.get('R') === '1',
    ...(v !== undefined && /^\d{1,10}$/.test(v) ? { version: Number(v) } : {}),
    ...(message !== undefined ? { message } : {}),
  });
}

/** The "M=" text of a Success message ("S=<40 hex> M=<msg>"), if any. */
export function successMessageText(text: string): string | undefined {
  const at = text.indexOf('M=');
  return at === -1 ? undefined : text.slice(at + 2);
}
