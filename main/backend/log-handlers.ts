import type { Handlers } from '../contract/handlers.js';
import type { BackendContext } from './context.js';

type LogHandlers = Pick<Handlers, 'logs.attempts' | 'logs.read' | 'logs.export'>;

export function logHandlers(ctx: BackendContext): LogHandlers {
  return {
    'logs.attempts': async ({ profileId }) => {
      const r = ctx.logs.list(profileId);
      if (!r.ok) return { ok: false, error: { kind: 'logs', message: r.error.message } };
      // Paths stay in main: the renderer names an attempt by number.
      const attempts = r.value.map((a) => ({ attempt: a.attempt, startedAt: a.startedAt, size: a.size }));
      return { ok: true, attempts, live: ctx.connections.liveAttempt(profileId) };
    },
    'logs.read': async ({ profileId, attempt }) => {
      const r = await ctx.logs.read(profileId, attempt);
      return r.ok
        ? { ok: true, entries: r.value.entries, skipped: r.value.skipped }
        : { ok: false, error: { kind: 'logs', message: r.error.message } };
    },
    'logs.export': async ({ profileId, attempt }) => {
      const dest = await ctx.host.chooseExportPath(`causeway-${profileId.slice(0, 8)}-attempt-${attempt}.log`);
      if (dest === null) return { ok: false, error: { kind: 'cancelled', message: 'Export cancelled.' } };
      const r = await ctx.logs.exportText(profileId, attempt, dest);
      return r.ok ? { ok: true, path: r.value } : { ok: false, error: { kind: 'logs', message: r.error.message } };
    },
  };
}
