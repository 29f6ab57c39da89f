import type { Backend, EventName, Events, WireMessage } from '$contract';
import { BackendFailure } from './errors';

export function websocketBackend(url: string): Backend {
  const listeners = new Map<string, Set<(d: unknown) => void>>();
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  const ws = new WebSocket(url);
  const open = new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('The backend connection failed.')), { once: true });
  });
  ws.addEventListener('message', (ev) => {
    const m = JSON.parse(String(ev.data)) as WireMessage;
    if (m.type === 'event') {
      listeners.get(m.event)?.forEach((l) => l(m.data));
      return;
    }
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.result);
    else w.reject(new BackendFailure(m.error));
  });
  ws.addEventListener('close', () => {
    for (const w of waiting.values()) w.reject(new Error('The backend connection closed.'));
    waiting.clear();
  });
  return {
    async invoke(channel, payload) {
      await open;
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id, channel, payload }));
      });
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
