// Binding and dispatch. `Handlers` maps every channel to a handler: leaving one out is a compile error.
// The dispatcher is the one place payloads are validated and senders checked, for every host.
import type { Channel, Payload, Result } from './channels.js';
import { isChannel, requests } from './channels.js';
import type { ErrorEnvelope, ResponseEnvelope } from './envelope.js';

export type Handlers = { readonly [C in Channel]: (payload: Payload<C>) => Promise<Result<C>> };

export interface DispatchOptions<S> {
  /** Refuses requests from anything but the app's own frame / authenticated socket. */
  readonly isTrustedSender: (sender: S) => boolean;
  /** Where unexpected errors are reported (never to the renderer beyond a code). */
  readonly onInternalError?: (channel: Channel, error: unknown) => void;
}

export type Dispatch<S> = (sender: S, channel: unknown, payload: unknown) => Promise<ResponseEnvelope>;

export function createDispatcher<S>(handlers: Handlers, opts: DispatchOptions<S>): Dispatch<S> {
  return async (sender, channel, payload) => {
    if (!opts.isTrustedSender(sender)) return fail('forbidden', 'This sender may not use the backend.');
    if (!isChannel(channel))
      return fail('unknown-channel', `Unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}.`);
    const parsed = requests[channel].payload.safeParse(payload);
    if (!parsed.success) {
      // Field paths and messages only: never echo the payload, which may hold a password.
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
      return fail('invalid-payload', `Invalid payload for ${channel}: ${why}`);
    }
    try {
      const handler = handlers[channel] as (p: unknown) => Promise<unknown>;
      return { ok: true, result: (await handler(parsed.data)) as Result<Channel> };
    } catch (e) {
      opts.onInternalError?.(channel, e);
      return fail('internal', `${channel} failed unexpectedly; see the application log.`);
    }
  };
}

function fail(code: ErrorEnvelope['code'], message: string): ResponseEnvelope {
  return { ok: false, error: { code, message } };
}
