// The one backend interface the renderer depends on, derived from the channel declarations.
import type { Channel, PayloadInput, Result } from './channels.js';
import type { EventName, Events } from './events.js';

export interface Backend {
  /**
   * Rejects only for unexpected failures, with an Error carrying main's ErrorEnvelope (the renderer's
   * BackendFailure, renderer/src/lib/api/errors.ts); expected ones are values in the result.
   */
  invoke<C extends Channel>(channel: C, payload: PayloadInput<C>): Promise<Result<C>>;
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void;
}

/** The shape the Electron preload exposes on `window.causeway` (untyped strings inside, typed outside). */
export interface PreloadBridge {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  onEvent(listener: (event: string, data: unknown) => void): () => void;
}
