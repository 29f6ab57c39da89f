// A scripted fake peer for PppLink tests: builds the frames a server would send, decodes what the
// link sends, and records events and log lines on one timeline. Time is a ManualClock.
import { ManualClock } from '../../../../main/engine/clock.js';
import type { AuthMethod } from '../../../../main/engine/config.js';
import type { LogEntry } from '../../../../main/engine/log.js';
import type {
  Authenticator,
  AuthenticatorContext,
  AuthenticatorFactory,
} from '../../../../main/engine/ppp/auth/authenticator.js';
import { decodeFrame, encodeFrame } from '../../../../main/engine/ppp/frame.js';
import { PppLink } from '../../../../main/engine/ppp/link.js';
import type { PppLinkConfig, PppLinkEvent } from '../../../../main/engine/ppp/link.js';
import { decodeOptions, encodeOptions } from '../../../../main/engine/ppp/options.js';
import type { ConfigOption } from '../../../../main/engine/ppp/options.js';
import { decodeControl, encodeControl } from '../../../../main/engine/ppp/packet.js';
import { PPP_CHAP, PPP_IPCP, PPP_IPV6CP, PPP_LCP, PPP_PAP } from '../../../../main/engine/ppp/protocols.js';
import { describePacket } from '../../../../main/engine/ppp/trace.js';
import { failure } from '../../../../main/engine/failure.js';

export const LCP = PPP_LCP;
export const IPCP = PPP_IPCP;
export const IPV6CP = PPP_IPV6CP;

/** A sent frame, decoded for assertions; `trace` is the pppd-style text, handy in messages. */
export interface Sent {
  readonly protocol: number;
  readonly code: number;
  readonly id: number;
  readonly data: Buffer;
  readonly info: Buffer;
  readonly trace: string;
}

export type Timeline = ({ kind: 'sent'; sent: Sent } | { kind: 'event'; event: PppLinkEvent })[];

export function opt(type: number, ...bytes: number[]): ConfigOption {
  return { type, data: Buffer.from(bytes) };
}
export function hexOpt(type: number, hex: string): ConfigOption {
  return { type, data: Buffer.from(hex, 'hex') };
}
export const mru = (v: number) => opt(1, v >> 8, v & 0xff);
export const magic = (v: number) => opt(5, (v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
export const authPap = () => opt(3, 0xc0, 0x23);
export const authEap = () => opt(3, 0xc2, 0x27);
export const authMschapv2 = () => opt(3, 0xc2, 0x23, 0x81);
export const authChapMd5 = () => opt(3, 0xc2, 0x23, 0x05);
export const ipOpt = (type: number, ip: string) => opt(type, ...ip.split('.').map(Number));

export function controlFrame(
  protocol: number,
  code: number,
  id: number,
  data: Buffer | readonly ConfigOption[],
): Buffer {
  const bytes = Buffer.isBuffer(data) ? data : encodeOptions(data as readonly ConfigOption[]);
  return encodeFrame(protocol, encodeControl({ code, id, data: bytes }));
}

/** The scripted randomness: each call returns the next bytes from `values` (cycled). */
export function scriptedRandom(values: readonly string[]): (n: number) => Buffer {
  let i = 0;
  return (n) => {
    const hex = values[i++ % values.length] ?? '00';
    return Buffer.from(hex.padEnd(n * 2, '0').slice(0, n * 2), 'hex');
  };
}

export interface TestAuthRun {
  readonly method: AuthMethod;
  readonly ctx: AuthenticatorContext;
  started: boolean;
  stopped: boolean;
  received: Buffer[];
}

/**
 * A small stand-in for the real authenticators: PAP sends an Authenticate-Request on start and
 * succeeds on Authenticate-Ack; CHAP-like methods answer a Challenge and succeed on Success with
 * HLAK 0x11…; any Failure/Nak fails with 'auth-failed'.
 */
export function testAuthenticators(): { factory: AuthenticatorFactory; runs: TestAuthRun[] } {
  const runs: TestAuthRun[] = [];
  const factory: AuthenticatorFactory = (method, ctx) => {
    const run: TestAuthRun = { method, ctx, started: false, stopped: false, received: [] };
    runs.push(run);
    const protocol = method === 'pap' ? PPP_PAP : method === 'eap-mschapv2' ? 0xc227 : PPP_CHAP;
    const auth: Authenticator = {
      method,
      protocol,
      start() {
        run.started = true;
        if (method === 'pap')
          ctx.send(
            PPP_PAP,
            encodeControl({ code: 1, id: 1, data: Buffer.from([4, 0x75, 0x73, 0x65, 0x72, 2, 0x70, 0x77]) }),
          );
      },
      receive(packet) {
        run.received.push(packet);
        const code = packet[0];
        if (method === 'pap') {
          if (code === 2) ctx.succeed({ hlak: Buffer.alloc(32) });
          else if (code === 3)
            ctx.fail(failure('auth', 'auth-failed', 'The server rejected the user name or password.'));
          return;
        }
        if (code === 1)
          ctx.send(protocol, encodeControl({ code: 2, id: packet[1] ?? 0, data: Buffer.from('response') }));
        else if (code === 3) ctx.succeed({ hlak: Buffer.alloc(32, 0x11) });
        else if (code === 4) ctx.fail(failure('auth', 'auth-failed', 'The server rejected the user name or password.'));
      },
      stop() {
        run.stopped = true;
      },
    };
    return auth;
  };
  return { factory, runs };
}

export class Harness {
  readonly clock = new ManualClock();
  readonly timeline: Timeline = [];
  readonly logs: LogEntry[] = [];
  readonly auth = testAuthenticators();
  readonly link: PppLink;
  private cursor = 0;

  constructor(
    config: Partial<PppLinkConfig> = {},
    extra: {
      random?: (n: number) => Buffer;
      sendHook?: (frame: Buffer) => void;
      eventHook?: (ev: PppLinkEvent, link: PppLink) => void;
    } = {},
  ) {
    this.link = new PppLink({
      config: {
        authMethods: ['mschapv2'],
        credentials: { username: 'user', password: 'secret-password' },
        ipv6: false,
        mru: 1500,
        ...config,
      },
      clock: this.clock,
      log: (e) => this.logs.push(e),
      send: (frame) => {
        this.timeline.push({ kind: 'sent', sent: decodeSent(frame) });
        extra.sendHook?.(frame);
      },
      authenticatorFactory: this.auth.factory,
      onEvent: (event) => {
        this.timeline.push({ kind: 'event', event });
        extra.eventHook?.(event, this.link);
      },
      ...(extra.random ? { random: extra.random } : {}),
    });
  }

  get events(): PppLinkEvent[] {
    return this.timeline.flatMap((t) => (t.kind === 'event' ? [t.event] : []));
  }

  get allSent(): Sent[] {
    return this.timeline.flatMap((t) => (t.kind === 'sent' ? [t.sent] : []));
  }

  /** Frames sent since the last call. */
  take(): Sent[] {
    const out = this.allSent.slice(this.cursor);
    this.cursor = this.allSent.length;
    return out;
  }

  /** The one frame sent since the last take(); throws (failing the test) otherwise. */
  one(protocol?: number): Sent {
    const s = this.take().filter((x) => protocol === undefined || x.protocol === protocol);
    if (s.length !== 1) throw new Error(`expected one frame, got ${s.length}: ${s.map((x) => x.trace).join(' | ')}`);
    return s[0] as Sent;
  }

  feed(protocol: number, code: number, id: number, data: Buffer | readonly ConfigOption[] = Buffer.alloc(0)): void {
    this.link.receive(controlFrame(protocol, code, id, data));
  }

  event<T extends PppLinkEvent['type']>(type: T): Extract<PppLinkEvent, { type: T }> | undefined {
    return this.events.find((e): e is Extract<PppLinkEvent, { type: T }> => e.type === type);
  }

  /**
   * Whether the link carries IP of this family now: a received packet comes out as 'ip-packet'.
   * (Sending IP is the session's: sequencer.ts frames it; the link gates the same NCP state.)
   */
  carriesIp(protocol: number, packet: Buffer): boolean {
    const before = this.events.length;
    this.link.receive(encodeFrame(protocol, packet));
    const after = this.events.slice(before);
    return after.length === 1 && after[0]?.type === 'ip-packet' && after[0].packet.equals(packet);
  }

  /** Our LCP request was the last thing sent: acknowledge it as it is. */
  ackLast(s: Sent): void {
    this.feed(s.protocol, 2, s.id, s.data);
  }
}

export function decodeSent(frame: Buffer): Sent {
  const f = decodeFrame(frame);
  if (!f.ok) throw new Error('link sent a bad frame');
  const { protocol, info } = f.value;
  const trace = describePacket(protocol, info);
  const p = decodeControl(info, 'sent');
  if (!p.ok) return { protocol, code: -1, id: -1, data: info, info, trace };
  return { protocol, code: p.value.code, id: p.value.id, data: p.value.data, info, trace };
}

export function optionsOf(s: Sent): ConfigOption[] {
  const d = decodeOptions(s.data, 'sent options');
  if (!d.ok) throw new Error('bad options in sent packet');
  return d.value;
}
