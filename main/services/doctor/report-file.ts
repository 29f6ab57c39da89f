// The compatibility report a user sends to an administrator: the doctor's report as JSON with a short
// text summary on top, redacted. Passwords never appear (the trace never had them, and every secret
// known to this run is replaced anyway, in case); the user name is replaced unless the person asks
// to include it; fingerprints, addresses and the trace stay, because they are what an admin needs.
import { closeSync, fsyncSync, openSync, renameSync, writeSync, constants, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { DoctorReport } from '../../contract/doctor.js';
import { formatDoctorText } from './format.js';

export interface RedactOptions {
  /** The user name of this run (replaced by "<user>" unless includeUser). */
  readonly username?: string;
  readonly includeUser?: boolean;
  /** Every secret of this run (password, proxy password, PKCS#12 passphrase): always replaced. */
  readonly secrets: readonly string[];
}

const USER = '<user>';
const SECRET = '<secret>';

/** The report with secrets and (unless asked) the user name taken out of every string in it. */
export function redactReport(report: DoctorReport, o: RedactOptions): DoctorReport {
  const names = o.includeUser || !o.username ? [] : userForms(o.username);
  // By value, as a second line of defence (the trace never holds a secret): a one- or two-letter value
  // would eat letters out of every word, so short ones are replaced only where they stand quoted.
  const secrets = o.secrets.filter((s) => s.length > 0);
  const replace = (t: string, value: string, by: string) =>
    value.length >= 3 ? t.split(value).join(by) : t.split(`"${value}"`).join(`"${by}"`);
  const scrub = (text: string): string => {
    let t = text;
    for (const s of secrets) t = replace(t, s, SECRET);
    for (const n of names) t = replace(t, n, USER);
    return t;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(report) as DoctorReport;
  return o.includeUser && o.username
    ? { ...out, user: scrub(o.username) }
    : { ...out, ...(report.user !== undefined ? { user: USER } : {}) };
}

/** "DOMAIN\alice", "alice@HUB": the whole name and the account part alone, longest first. */
function userForms(username: string): string[] {
  const forms = new Set([username]);
  const account = username.includes('\\') ? username.slice(username.lastIndexOf('\\') + 1) : username.split('@')[0];
  if (account && account.length >= 3) forms.add(account);
  return [...forms].sort((a, b) => b.length - a.length);
}

export type WriteReportResult =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly message: string };

/** Writes the (already redacted) report: mode 0600, through a temporary file, never following a link. */
export function writeReportFile(path: string, report: DoctorReport): WriteReportResult {
  const text = `${formatDoctorText(report)
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n')}\n${JSON.stringify(report, null, 2)}\n`;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    return { ok: true, path };
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing was created */
    }
    return {
      ok: false,
      message: `The report could not be written to ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}. Choose a folder you can write to.`,
    };
  }
}
