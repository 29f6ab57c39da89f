// What crosses the wire, whatever the host (Electron IPC or the test WebSocket).
import type { Channel, Result } from './channels.js';

/** Unexpected failures only; expected ones are values inside `result`. */
export type ErrorCode = 'unknown-channel' | 'invalid-payload' | 'forbidden' | 'internal';

export interface ErrorEnvelope {
  readonly code: ErrorCode;
  readonly message: string;
}

export type ResponseEnvelope<C extends Channel = Channel> =
  { readonly ok: true; readonly result: Result<C> } | { readonly ok: false; readonly error: ErrorEnvelope };

/** The WebSocket framing (Electron IPC carries the same fields as invoke arguments). */
export interface WireRequest {
  readonly id: number;
  readonly channel: string;
  readonly payload: unknown;
}
export type WireMessage =
  | ({ readonly type: 'response'; readonly id: number } & ResponseEnvelope)
  | { readonly type: 'event'; readonly event: string; readonly data: unknown };

/** Names of the Electron IPC channels the preload uses. */
export const IPC_INVOKE = 'causeway:invoke';
export const IPC_EVENT = 'causeway:event';
