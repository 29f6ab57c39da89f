// `causeway logs NAME`: the per-attempt connection logs of a profile (written by `causeway test NAME`
// and by the app), including the PPP/SSTP negotiation trace at debug level. Secrets were redacted when
// the log was written.
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { parseIntegerOption } from '../integer-option.js';
import type { Parsed } from '../options.js';
import type { LogEntry, LogLevel } from '../../engine/log.js';
import type { AttemptInfo } from '../../services/logs/connection-log.js';
import { formatText } from '../../services/logs/log-file.js';
import { followLogs } from '../profiles/log-follow.js';
import { exitCodeForStoreError, reply } from '../profiles/reply.js';
import { findProfile, openProfileServices, type OpenProfileServices } from '../profiles/services.js';

interface LogsOptions {
  attempt?: string;
  list?: boolean;
  follow?: boolean;
  json?: boolean;
  level?: LogLevel;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Attempts are numbered from 1 up, one more than the highest kept (connection-logs.ts); the top is
 * only there to keep the message readable — no profile gets near a billion attempts.
 */
const ATTEMPT_RANGE = { min: 1, max: 999_999_999 } as const;

/** --attempt N: which attempt's log to show. */
export function parseAttempt(text: string): Parsed<number> {
  return parseIntegerOption(text, { flag: '--attempt', range: ATTEMPT_RANGE });
}

export interface LogsSeams {
  readonly open?: OpenProfileServices;
  /** Stops --follow; the CLI ties it to SIGINT/SIGTERM. */
  readonly stopSignal?: () => AbortSignal;
}

export function registerLogsCommand(program: Command, ctx: CliContext, seams: LogsSeams = {}): void {
  const open = seams.open ?? (() => openProfileServices(ctx.env));
  const stopSignal = seams.stopSignal ?? signalOnInterrupt;
  program
    .command('logs')
    .description("show a profile's connection logs: one per attempt, newest by default, with the negotiation trace")
    .argument('<name>', 'profile name or id')
    .option('--attempt <n>', 'show this attempt instead of the newest (see --list)')
    .option('--list', 'list the attempts that have logs')
    .option('-f, --follow', 'keep printing the newest attempt as it is written, and the next ones; stop with Ctrl-C')
    .addOption(new Option('--level <level>', 'leave out entries below this level').choices([...LEVELS]))
    .option('--json', 'print one JSON object per entry')
    .action(async (name: string, o: LogsOptions) => {
      const r = reply(ctx, o.json);
      let attempt: number | undefined;
      if (o.attempt !== undefined) {
        const n = parseAttempt(o.attempt);
        if (!n.ok) return r.fail(EXIT.usage, `${n.error} (see --list)`);
        attempt = n.value;
      }
      if (o.list && (o.follow || attempt !== undefined))
        return r.fail(EXIT.usage, '--list cannot be combined with --follow or --attempt');
      const services = open();
      const found = await findProfile(services.store, name);
      if (!found.ok) return r.fail(exitCodeForStoreError(found.error), found.error.message);
      const profile = found.value;
      const minLevel = LEVELS.indexOf(o.level ?? 'debug');
      const shown = (e: LogEntry) => LEVELS.indexOf(e.level) >= minLevel;
      const printEntry = (e: LogEntry, info: AttemptInfo) =>
        r.data(
          {
            event: 'log',
            attempt: info.attempt,
            time: new Date(e.time).toISOString(),
            level: e.level,
            phase: e.phase,
            message: e.message,
          },
          formatText([e]),
        );
      const printHeader = (info: AttemptInfo) =>
        r.data(
          { event: 'attempt', ...attemptJson(info) },
          `# ${profile.name}: attempt ${info.attempt}, started ${new Date(info.startedAt).toISOString()}\n`,
        );

      const listed = services.logs.list(profile.id);
      if (!listed.ok) return r.fail(EXIT.failure, listed.error.message);
      if (o.list) {
        const text =
          listed.value.length === 0
            ? `No connection logs for "${profile.name}" yet.\n`
            : listed.value
                .map(
                  (a) => `${String(a.attempt).padStart(5)}  ${new Date(a.startedAt).toISOString()}  ${a.size} bytes\n`,
                )
                .join('');
        return r.data(
          {
            event: 'attempts',
            profile: { id: profile.id, name: profile.name },
            attempts: listed.value.map(attemptJson),
          },
          text,
        );
      }

      if (o.follow) {
        const failed = await followLogs(
          services.logs,
          profile.id,
          { signal: stopSignal(), ...(attempt !== undefined ? { attempt } : {}) },
          {
            attempt: printHeader,
            entry: (e, info) => {
              if (shown(e)) printEntry(e, info);
            },
          },
        );
        if (failed) r.fail(EXIT.failure, failed);
        return;
      }

      const newest = listed.value.at(-1);
      if (attempt === undefined && !newest) {
        r.note(`No connection logs for "${profile.name}" yet. Run \`causeway test "${profile.name}"\` to make one.`);
        if (r.json) r.data({ event: 'attempts', profile: { id: profile.id, name: profile.name }, attempts: [] }, '');
        return;
      }
      const which = attempt ?? newest?.attempt ?? 0;
      const read = await services.logs.read(profile.id, which);
      if (!read.ok)
        return r.fail(EXIT.failure, `${read.error.message} (see \`causeway logs "${profile.name}" --list\`)`);
      printHeader(read.value.info);
      for (const e of read.value.entries) if (shown(e)) printEntry(e, read.value.info);
      if (read.value.skipped > 0)
        r.note(`causeway: ${read.value.skipped} damaged line(s) in ${read.value.info.file} were skipped`);
    });
}

function attemptJson(a: AttemptInfo): Record<string, unknown> {
  return { attempt: a.attempt, startedAt: new Date(a.startedAt).toISOString(), file: a.file, size: a.size };
}

function signalOnInterrupt(): AbortSignal {
  const ac = new AbortController();
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    ac.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return ac.signal;
}
