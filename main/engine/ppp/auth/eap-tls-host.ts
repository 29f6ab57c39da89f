// What the EAP dispatcher (eap.ts) offers an EAP method running inside it (EAP-TLS, PEAP), and
// what such a method offers back. The dispatcher owns Identity, Notification, Nak, duplicate
// Requests, Success and Failure; a method only sees the Requests of its own type.
import type { Clock } from '../../clock.js';
import type { SessionFailure } from '../../failure.js';
import type { Logger } from '../../log.js';

export interface EapMethodHost {
  /** Sends an EAP Response of `type` answering Request `id`; remembered for duplicate Requests. */
  reply(id: number, type: number, typeData: Buffer, trace: string): void;
  /** Ends authentication with this failure (once; later calls are ignored). */
  fail(failure: SessionFailure): void;
  readonly log: Logger;
  readonly clock: Clock;
  /** The PPP MRU the server accepts from us now (LCP's negotiated peer MRU). */
  peerMru(): number;
}

export interface EapMethod {
  /** EAP Type this method answers (13 EAP-TLS, 25 PEAP). */
  readonly type: number;
  /** One Request of this type; `typeData` is everything after the Type octet. */
  request(id: number, typeData: Buffer): void;
  /**
   * EAP-Success arrived: the HLAK (first 32 bytes of the MSK) when the method finished and the
   * server proved itself, else the failure that explains why Success cannot be accepted.
   */
  success(): { readonly ok: true; readonly hlak: Buffer } | { readonly ok: false; readonly failure: SessionFailure };
  /** EAP-Failure arrived: what to tell the user. */
  failure(): SessionFailure;
  /** No more callbacks into the host after this; releases TLS. */
  stop(): void;
}
