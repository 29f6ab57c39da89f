// Drives a SessionSequencer against a WireServer: the sequencer's writes go to the server at once,
// the server's answers are fed back by pump(), and time moves only on tick() (both clocks together).
// Records everything the sequencer tells its ports, on one list, in order.
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { SessionConfig } from '../../../../main/engine/config.js';
import type { SessionFailure } from '../../../../main/engine/failure.js';
import type { LogEntry } from '../../../../main/engine/log.js';
import {
  SessionSequencer,
  type SequencerDeps,
  type SequencerPorts,
} from '../../../../main/engine/sequencer/sequencer.js';
import type { ConnectOutcome, SessionEvent } from '../../../../main/engine/sequencer/session-types.js';
import type { TlsInfo } from '../../../../main/engine/transport/tls.js';
import type { PartialScript } from '../../../peers/script.js';
import { WireServer, type HoldAt } from './wire-server.js';

export const baseConfig: SessionConfig = {
  host: 'sstp.example.test',
  port: 443,
  tlsMin: 'TLSv1.2',
  trust: { insecure: true },
  credentials: { username: 'testuser', password: 'testpass' },
  authMethods: ['mschapv2'],
  ipv6: false,
  mru: 1500,
};

export interface HarnessOptions {
  readonly holdAt?: HoldAt;
  readonly script?: PartialScript;
  readonly config?: Partial<SessionConfig>;
  readonly deps?: Partial<Omit<SequencerDeps, 'clock' | 'log'>>;
}

export class Harness {
  readonly clock = new ManualClock();
  readonly leafDer = randomBytes(320);
  readonly server: WireServer;
  readonly seq: SessionSequencer;
  readonly events: SessionEvent[] = [];
  readonly outcomes: ConnectOutcome[] = [];
  readonly ips: Buffer[] = [];
  readonly logs: LogEntry[] = [];
  closeTransportCalls = 0;
  /** Bytes written after the sequencer closed the transport: there must be none. */
  writesAfterClose = 0;

  constructor(o: HarnessOptions = {}) {
    this.server = new WireServer(this.leafDer, o.holdAt, o.script);
    const ports: SequencerPorts = {
      write: (bytes) => {
        if (this.closeTransportCalls > 0) this.writesAfterClose++;
        this.server.fromClient(bytes);
        return true;
      },
      closeTransport: () => void this.closeTransportCalls++,
      ip: (packet) => void this.ips.push(packet),
      event: (e) => void this.events.push(e),
      outcome: (x) => void this.outcomes.push(x),
    };
    this.seq = new SessionSequencer(
      { ...baseConfig, ...o.config },
      { clock: this.clock, log: (e) => void this.logs.push(e), ...o.deps },
      ports,
    );
  }

  /** What the dialer would do: connect() began, TCP and TLS done, then the HTTP request goes out. */
  start(): this {
    this.seq.begin();
    this.seq.enter('tcp');
    this.seq.phaseDone('tcp');
    this.seq.enter('tls');
    this.seq.secured(this.tlsInfo());
    return this.pump();
  }

  /** Feeds the server's answers to the sequencer until neither side has anything more to say. */
  pump(): this {
    for (let i = 0; i < 1000; i++) {
      const bytes = this.server.take();
      if (bytes.length === 0) return this;
      this.seq.receive(bytes);
    }
    throw new Error('client and server kept talking for 1000 rounds');
  }

  /** Moves both clocks, then lets the answers flow. */
  tick(ms: number): this {
    for (let left = ms; left > 0; left -= Math.min(left, 100)) {
      const step = Math.min(left, 100);
      this.server.clock.advance(step);
      this.pump();
      this.clock.advance(step);
      this.pump();
    }
    return this;
  }

  tlsInfo(): TlsInfo {
    return {
      version: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      leafDer: this.leafDer,
      certificate: {
        subject: 'CN=sstp.example.test',
        issuer: 'CN=test CA',
        serialNumber: '01',
        validFrom: '2026-01-01T00:00:00.000Z',
        validTo: '2027-01-01T00:00:00.000Z',
        subjectAltNames: ['DNS:sstp.example.test'],
        sha256: 'AA:BB',
        selfSigned: false,
      },
    };
  }

  get phases(): string[] {
    return this.events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
  }

  get closedEvents(): (SessionFailure | null)[] {
    return this.events.flatMap((e) => (e.type === 'closed' ? [e.failure] : []));
  }

  /** SSTP control messages the server received, in order (with their status, if any). */
  get serverReceived(): string[] {
    return this.server.log.all('sstp-received').map((e) => e.message);
  }
}
