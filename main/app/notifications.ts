// Desktop notifications as pure providers (a state change → a notification or nothing) and one
// controller that throttles them and stays quiet while the window has focus (the user is looking).
import type { ConnectionSnapshot } from '../contract/model.js';

export interface NotificationSpec {
  readonly profileId: string;
  readonly kind: 'connected' | 'dropped' | 'reconnecting' | 'failed' | 'certificate-changed';
  readonly title: string;
  readonly body: string;
  /** Security warnings are shown even while the window has focus. */
  readonly critical: boolean;
}

export type NotificationProvider = (
  prev: ConnectionSnapshot | undefined,
  next: ConnectionSnapshot,
  name: string,
) => NotificationSpec | null;

const connected: NotificationProvider = (prev, next, name) =>
  next.state === 'connected' && prev?.state !== 'connected'
    ? {
        profileId: next.profileId,
        kind: 'connected',
        title: `${name} connected`,
        body: `Address ${next.addresses.ipv4}`,
        critical: false,
      }
    : null;

const reconnecting: NotificationProvider = (prev, next, name) =>
  next.state === 'reconnecting' && prev?.state === 'connected'
    ? {
        profileId: next.profileId,
        kind: 'dropped',
        title: `${name} dropped`,
        body: `${next.failure.message} Reconnecting…`,
        critical: false,
      }
    : next.state === 'reconnecting' && prev?.state !== 'reconnecting'
      ? {
          profileId: next.profileId,
          kind: 'reconnecting',
          title: `${name} reconnecting`,
          body: next.failure.message,
          critical: false,
        }
      : null;

const failed: NotificationProvider = (prev, next, name) => {
  if (next.state === 'pin-mismatch' && prev?.state !== 'pin-mismatch')
    return {
      profileId: next.profileId,
      kind: 'certificate-changed',
      title: `${name}: the server's certificate changed`,
      body: 'Possible interception. Causeway did not connect; open it to see the details.',
      critical: true,
    };
  if (next.state === 'error' && prev?.state !== 'error')
    return {
      profileId: next.profileId,
      kind: prev?.state === 'connected' ? 'dropped' : 'failed',
      title: `${name} ${prev?.state === 'connected' ? 'dropped' : 'failed to connect'}`,
      body: next.failure.message,
      critical: false,
    };
  return null;
};

export const PROVIDERS: readonly NotificationProvider[] = [connected, reconnecting, failed];

export function notificationFor(
  prev: ConnectionSnapshot | undefined,
  next: ConnectionSnapshot,
  name: string,
): NotificationSpec | null {
  for (const p of PROVIDERS) {
    const n = p(prev, next, name);
    if (n) return n;
  }
  return null;
}

export interface ThrottleOptions {
  /** The same kind for the same profile at most once per this many ms (flapping links). */
  readonly sameKindMs?: number;
  /** Any notification for a profile at most once per this many ms. */
  readonly perProfileMs?: number;
}

export class NotificationController {
  private readonly last = new Map<string, number>();
  private readonly lastAny = new Map<string, number>();
  private readonly sameKindMs: number;
  private readonly perProfileMs: number;

  constructor(
    private readonly show: (n: NotificationSpec) => void,
    private readonly windowFocused: () => boolean,
    private readonly now: () => number = Date.now,
    opts: ThrottleOptions = {},
  ) {
    this.sameKindMs = opts.sameKindMs ?? 60_000;
    this.perProfileMs = opts.perProfileMs ?? 3_000;
  }

  /** Returns whether a notification was shown. */
  offer(n: NotificationSpec | null): boolean {
    if (!n) return false;
    if (!n.critical && this.windowFocused()) return false;
    const t = this.now();
    const key = `${n.profileId}\u0000${n.kind}`;
    if (!n.critical) {
      if (t - (this.last.get(key) ?? -Infinity) < this.sameKindMs) return false;
      if (t - (this.lastAny.get(n.profileId) ?? -Infinity) < this.perProfileMs) return false;
    }
    this.last.set(key, t);
    this.lastAny.set(n.profileId, t);
    this.show(n);
    return true;
  }
}
