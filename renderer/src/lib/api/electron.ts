import type { Backend, EventName, Events, PreloadBridge, ResponseEnvelope } from '$contract';
import { BackendFailure } from './errors';

export function electronBackend(bridge: PreloadBridge): Backend {
  const listeners = new Map<string, Set<(d: unknown) => void>>();
  bridge.onEvent((event, data) => listeners.get(event)?.forEach((l) => l(data)));
  return {
    async invoke(channel, payload) {
      const r = (await bridge.invoke(channel, payload)) as ResponseEnvelope;
      if (!r.ok) throw new BackendFailure(r.error);
      return r.result as never;
    },
    on<E extends EventName>(event: E, listener: (data: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (d: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  };
}
