// The NAS side of RADIUS over UDP (RFC 2865 §2): one Access-Request at a time, retransmitted with the
// same Identifier and Authenticator until a verified reply arrives. Replies that fail the Response
// Authenticator or Message-Authenticator are dropped, as RFC 2865 §3 and RFC 3579 §3.2 require.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  decodeRadius,
  signedAccessRequest,
  verifyReply,
  type RadiusAttribute,
  type RadiusPacket,
} from './radius-packet.js';

export interface RadiusServerAddress {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
}

export type RadiusExchange =
  | { readonly ok: true; readonly reply: RadiusPacket; readonly requestAuthenticator: Buffer }
  | { readonly ok: false; readonly why: string };

const RETRY_MS = 2000;
const TRIES = 3;

export class RadiusClient {
  private readonly socket: Socket;
  private nextId = randomBytes(1)[0] ?? 0;
  private pending:
    { readonly id: number; readonly authenticator: Buffer; readonly settle: (r: RadiusExchange) => void } | undefined;
  private closed = false;
  /** Replies dropped because they did not verify (a test can assert there were none). */
  readonly dropped: string[] = [];

  constructor(private readonly server: RadiusServerAddress) {
    this.socket = createSocket('udp4');
    // A connection that dies mid-authentication has no stop(): never let this socket hold the process.
    this.socket.unref();
    this.socket.on('message', (m) => this.onMessage(m));
    this.socket.on('error', (e) => this.pending?.settle({ ok: false, why: `RADIUS socket: ${e.message}` }));
  }

  /** Sends an Access-Request with these attributes (a Message-Authenticator is added) and awaits the reply. */
  request(attributes: readonly RadiusAttribute[]): Promise<RadiusExchange> {
    if (this.closed) return Promise.resolve({ ok: false, why: 'RADIUS client closed' });
    if (this.pending !== undefined) return Promise.resolve({ ok: false, why: 'RADIUS request already outstanding' });
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xff;
    const authenticator = randomBytes(16);
    const packet = signedAccessRequest(id, authenticator, attributes, this.server.secret);
    return new Promise((resolve) => {
      let tries = 0;
      let timer: NodeJS.Timeout | undefined;
      const send = (): void => {
        tries += 1;
        this.socket.send(packet, this.server.port, this.server.host);
        timer = setTimeout(
          () =>
            tries < TRIES
              ? send()
              : settle({
                  ok: false,
                  why: `no RADIUS reply from ${this.server.host}:${this.server.port} after ${TRIES} tries${this.droppedText()}`,
                }),
          RETRY_MS,
        );
      };
      const settle = (r: RadiusExchange): void => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve(r);
      };
      this.pending = { id, authenticator, settle };
      send();
    });
  }

  private onMessage(m: Buffer): void {
    const p = this.pending;
    if (p === undefined || m[1] !== p.id) return;
    const v = verifyReply(m, p.authenticator, this.server.secret);
    if (!v.ok) {
      this.dropped.push(v.why);
      return;
    }
    const d = decodeRadius(m);
    if (!d.ok) return;
    p.settle({ ok: true, reply: d.packet, requestAuthenticator: p.authenticator });
  }

  private droppedText(): string {
    return this.dropped.length === 0 ? '' : ` (dropped: ${[...new Set(this.dropped)].join('; ')})`;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending?.settle({ ok: false, why: 'RADIUS client closed' });
    this.socket.close();
  }
}
