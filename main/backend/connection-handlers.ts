import type { Handlers } from '../contract/handlers.js';
import { inspectCa } from './ca-file.js';
import type { BackendContext } from './context.js';

type ConnectionHandlers = Pick<
  Handlers,
  | 'connections.list'
  | 'connections.connect'
  | 'connections.disconnect'
  | 'connections.test'
  | 'connections.ping'
  | 'trust.pending'
  | 'trust.accept'
  | 'trust.dismiss'
  | 'trust.inspectCa'
  | 'otp.pending'
  | 'otp.answer'
  | 'otp.dismiss'
>;

export function connectionHandlers(ctx: BackendContext): ConnectionHandlers {
  const c = ctx.connections;
  return {
    'connections.list': async () => c.snapshots(),
    'connections.connect': async ({ profileId, password, remember }) => {
      const r = await c.connect(profileId, {
        ...(password !== undefined ? { password } : {}),
        ...(remember !== undefined ? { remember } : {}),
      });
      if (remember && password !== undefined) ctx.profilesChanged();
      return r;
    },
    'connections.disconnect': async ({ profileId }) => {
      await c.disconnect(profileId);
      return { ok: true };
    },
    'connections.test': ({ profileId, password }) => c.test(profileId, password !== undefined ? { password } : {}),
    'connections.ping': ({ profileId }) => c.ping(profileId),
    'trust.inspectCa': async (file) => {
      const r = inspectCa(file);
      return r.ok
        ? { ok: true, certificates: r.certificates, warnings: r.warnings }
        : { ok: false, error: { kind: 'not-a-certificate', message: r.message } };
    },
    'trust.pending': async () => c.pendingPrompts(),
    'trust.accept': async ({ promptId }) => {
      const r = await c.acceptPrompt(promptId);
      ctx.profilesChanged(); // the pin is part of the profile
      return r;
    },
    'trust.dismiss': async ({ promptId }) => {
      c.dismissPrompt(promptId);
      return { ok: true };
    },
    'otp.pending': async () => c.otp.list(),
    // A prompt already gone (answered elsewhere, connection stopped) needs no error: nothing waits.
    'otp.answer': async ({ promptId, code }) => (c.otp.answer(promptId, code), { ok: true }),
    'otp.dismiss': async ({ promptId }) => (c.otp.dismiss(promptId), { ok: true }),
  };
}
