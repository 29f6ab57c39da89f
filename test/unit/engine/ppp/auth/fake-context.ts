// A recording AuthenticatorContext on a ManualClock, for driving authenticators from scripted servers.
import { ManualClock } from '../../../../../main/engine/clock.js';
import type { SessionFailure } from '../../../../../main/engine/failure.js';
import type { LogEntry } from '../../../../../main/engine/log.js';
import { phaseLogger } from '../../../../../main/engine/log.js';
import type { AuthenticatorContext, AuthResult } from '../../../../../main/engine/ppp/auth/authenticator.js';

export interface Sent {
  readonly protocol: number;
  readonly packet: Buffer;
}

export interface FakeContext extends AuthenticatorContext {
  readonly clock: ManualClock;
  readonly sent: Sent[];
  readonly successes: AuthResult[];
  readonly failures: SessionFailure[];
  readonly logs: LogEntry[];
}

export function fakeContext(username = 'testuser', password = 'testpass'): FakeContext {
  const clock = new ManualClock();
  const sent: Sent[] = [];
  const successes: AuthResult[] = [];
  const failures: SessionFailure[] = [];
  const logs: LogEntry[] = [];
  return {
    credentials: { username, password },
    clock,
    sent,
    successes,
    failures,
    logs,
    log: phaseLogger(
      (e) => logs.push(e),
      'auth',
      () => clock.now(),
    ),
    send: (protocol, packet) => sent.push({ protocol, packet: Buffer.from(packet) }),
    succeed: (r) => successes.push(r),
    fail: (f) => failures.push(f),
  };
}

/** Builds a PPP-style packet: code, id, length, data. */
export function packet(code: number, id: number, ...data: Uint8Array[]): Buffer {
  const body = Buffer.concat(data);
  const out = Buffer.alloc(4 + body.length);
  out[0] = code;
  out[1] = id;
  out.writeUInt16BE(out.length, 2);
  body.copy(out, 4);
  return out;
}

export function allLogText(ctx: FakeContext): string {
  return ctx.logs.map((l) => l.message).join('\n');
}
