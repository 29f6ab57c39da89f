// What the strict peer saw the client do, in order, and the protocol rules the client broke.
// Tests assert on this log instead of on timing: it is the peer's testimony.
import type { MessageType } from '../../main/engine/sstp/constants.js';
import type { PeerAuthMethod } from './script.js';

export type PeerEvent =
  | { readonly kind: 'tls-accepted'; readonly protocol: string; readonly clientCertificateSubject?: string }
  | {
      readonly kind: 'http-request';
      readonly requestLine: string;
      readonly host?: string;
      readonly correlationId?: string;
    }
  | { readonly kind: 'sstp-received'; readonly message: MessageType; readonly status?: number }
  | { readonly kind: 'sstp-sent'; readonly message: MessageType }
  | { readonly kind: 'ppp-received'; readonly protocol: number; readonly summary: string }
  | { readonly kind: 'ppp-sent'; readonly protocol: number; readonly summary: string }
  | {
      readonly kind: 'lcp-opened';
      readonly auth: PeerAuthMethod;
      readonly clientMru?: number;
      readonly serverMru?: number;
    }
  /** LCP open again after the peer's 'lcp-renegotiate' fault. */
  | { readonly kind: 'lcp-renegotiated'; readonly clientMru?: number; readonly serverMru?: number }
  /** LCP opened with no Authentication-Protocol option: the script offers no method (auth.methods []). */
  | { readonly kind: 'lcp-opened-without-auth' }
  | { readonly kind: 'auth-nak'; readonly offered: PeerAuthMethod; readonly suggested: string }
  | {
      readonly kind: 'auth-result';
      readonly method: PeerAuthMethod;
      readonly ok: boolean;
      readonly user: string;
      readonly why?: string;
    }
  | {
      readonly kind: 'call-connected';
      readonly ok: boolean;
      readonly hash?: 'sha1' | 'sha256';
      readonly reason?: string;
    }
  | { readonly kind: 'ipcp-opened'; readonly clientAddress: string; readonly dnsRequested: boolean }
  | { readonly kind: 'ipv6cp-opened'; readonly clientInterfaceId: string }
  | { readonly kind: 'protocol-rejected-by-client'; readonly protocol: number }
  | { readonly kind: 'icmp-echo'; readonly from: string; readonly to: string; readonly answered: boolean }
  | { readonly kind: 'icmp6-echo'; readonly from: string; readonly to: string }
  | { readonly kind: 'router-advertisement-sent'; readonly bytes: number }
  | { readonly kind: 'fault'; readonly action: string }
  /** One RADIUS packet of the EAP relay (RRAS-with-NPS mode): `sent` toward the RADIUS server or received. */
  | {
      readonly kind: 'radius';
      readonly direction: 'sent' | 'received';
      readonly code: string;
      readonly summary: string;
    }
  | { readonly kind: 'violation'; readonly reason: string }
  | { readonly kind: 'closed'; readonly reason: string };

export type PeerEventKind = PeerEvent['kind'];
export type EventOf<K extends PeerEventKind> = Extract<PeerEvent, { kind: K }>;

interface Waiter {
  readonly match: (e: PeerEvent) => boolean;
  readonly resolve: (e: PeerEvent) => void;
}

export class EventLog {
  readonly events: PeerEvent[] = [];
  readonly violations: string[] = [];
  private waiters: Waiter[] = [];

  record(e: PeerEvent): void {
    this.events.push(e);
    if (e.kind === 'violation') this.violations.push(e.reason);
    const ready = this.waiters.filter((w) => w.match(e));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(e);
  }

  violation(reason: string): void {
    this.record({ kind: 'violation', reason });
  }

  all<K extends PeerEventKind>(kind: K): EventOf<K>[] {
    return this.events.filter((e): e is EventOf<K> => e.kind === kind);
  }

  /**
   * The first event of `kind` (past or future) that satisfies `where`. The timeout is only a safety
   * net so a broken client fails the test instead of hanging it.
   */
  waitFor<K extends PeerEventKind>(
    kind: K,
    where: (e: EventOf<K>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<EventOf<K>> {
    const isIt = (e: PeerEvent): e is EventOf<K> => e.kind === kind && where(e as EventOf<K>);
    const seen = this.events.find(isIt);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`strict peer: no ${kind} event within ${timeoutMs} ms; saw ${this.summary()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match: isIt,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as EventOf<K>);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** A compact transcript for assertion messages. */
  summary(): string {
    return this.events
      .map((e) => {
        switch (e.kind) {
          case 'sstp-received':
          case 'sstp-sent':
            return `${e.kind === 'sstp-sent' ? '>' : '<'}${e.message}`;
          case 'ppp-received':
          case 'ppp-sent':
            return `${e.kind === 'ppp-sent' ? '>' : '<'}${e.summary}`;
          case 'violation':
            return `VIOLATION(${e.reason})`;
          case 'closed':
            return `closed(${e.reason})`;
          default:
            return e.kind;
        }
      })
      .join(' ');
  }
}
