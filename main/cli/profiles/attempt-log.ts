// `causeway test NAME` keeps a connection log like the app does, so `causeway logs NAME` can explain
// the attempt afterwards. runTest only hands its Output the entries it means to print, so it is asked
// for every entry and this wrapper decides: all of them go to the attempt's log file (debug trace
// included, already redacted by ConnectionLog), and only what the user asked for reaches the terminal.
import type { LogEntry } from '../../engine/log.js';
import type { ConnectionLog } from '../../services/logs/connection-log.js';
import type { Output } from '../output.js';

export function teeToConnectionLog(out: Output, log: ConnectionLog, verbose: boolean): Output {
  return {
    progress: (e) => out.progress(e),
    log: (e: LogEntry) => {
      log.sink(e);
      if (verbose || e.level === 'warn' || e.level === 'error') out.log(e);
    },
    result: (r) => {
      const summary = r.ok
        ? `test finished: ok in ${r.totalMs} ms${r.echo?.ok ? `, echo reply from ${r.echo.from} in ${r.echo.rttMs} ms` : ''}`
        : `test finished: ${r.failure?.code ?? 'failed'} in ${r.totalMs} ms`;
      log.sink({
        time: Date.now(),
        level: r.ok ? 'info' : 'error',
        phase: r.ok ? 'connected' : (r.failure?.phase ?? 'connected'),
        message: summary,
      });
      out.result(r);
    },
    error: (m) => out.error(m),
  };
}
