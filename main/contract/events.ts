// Events main pushes to the renderer. Main owns state; these are snapshots, never deltas a view must replay.
import type { ConnectionSnapshot, LogLine, OtpPrompt, ProfileView, TrustPrompt } from './model.js';

export interface Events {
  /** One profile's connection state changed (or its counters moved; at most once a second). */
  connection: ConnectionSnapshot;
  /** The whole profile list, after any change. */
  profiles: readonly ProfileView[];
  /** A line of a live connection log (already redacted). */
  log: LogLine;
  /** A server certificate needs the user's decision. */
  'trust.prompt': TrustPrompt;
  /** A prompt was answered or became moot. */
  'trust.resolved': { readonly promptId: string };
  /** A connection waits for a one-time code (never stored; asked again at each reconnect). */
  'otp.prompt': OtpPrompt;
  'otp.resolved': { readonly promptId: string };
}

export type EventName = keyof Events;
export type EventMessage = { [E in EventName]: { readonly event: E; readonly data: Events[E] } }[EventName];

export const EVENT_NAMES: readonly EventName[] = [
  'connection',
  'profiles',
  'log',
  'trust.prompt',
  'trust.resolved',
  'otp.prompt',
  'otp.resolved',
];
