// Last-resort teardown when a test process ends without calling stop(): on normal exit, uncaught
// errors (both end in 'exit') and the usual termination signals. Only synchronous work can run there.
const actions = new Set<() => void>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function runAll(): void {
  for (const action of [...actions]) {
    actions.delete(action);
    try {
      action();
    } catch {
      // best effort: one failing teardown must not stop the others
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // With nobody else listening, die of the same signal as we would have without our handler.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Registers a synchronous teardown; the returned function unregisters it (call it after a clean stop). */
export function onProcessExit(action: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runAll);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  actions.add(action);
  return () => {
    actions.delete(action);
  };
}
