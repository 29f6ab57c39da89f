// What the EAP-TLS and PEAP test servers share (eap-tls-test-server.ts, peap-test-server.ts): the
// in-memory wire under their node:tls server, and the server's side of the fragment exchange of
// RFC 5216 §2.1.5: ACK every client fragment but the last, hand over the client's whole message,
// and send our own flight one fragment per client ACK.
import { Duplex } from 'node:stream';
import {
  FragmentSender,
  Reassembler,
  decodeTlsFragment,
  encodeTlsFragment,
  type TlsFragment,
} from '../../../../../main/engine/ppp/auth/eap-tls-fragments.js';

/** The TLS server's transport: what it writes is collected in `out`; push() feeds it the client's bytes. */
export class TlsWire extends Duplex {
  readonly out: Buffer[] = [];
  override _read(): void {}
  override _write(c: Buffer, _e: BufferEncoding, done: () => void): void {
    this.out.push(c);
    done();
  }
}

export interface FragmentServerOptions {
  /** TLS data per fragment we send. */
  readonly fragment: number;
  /** The type-data of our ACK: a Flags octet of 0 (RFC 5216), or nothing at all (SoftEther 5.01). */
  readonly ack: Buffer;
  /** Sends one EAP Request of the method's type with this type-data. */
  readonly request: (typeData: Buffer) => void;
}

export type FragmentStep =
  /** Answered here: the client ACKed our fragment (the next one went out) or sent one of several (ACKed). */
  | { readonly kind: 'answered'; readonly fragment: TlsFragment }
  /** The client's message is complete (empty for a bare ACK of our last fragment). */
  | { readonly kind: 'message'; readonly fragment: TlsFragment; readonly message: Buffer };

export class FragmentServer {
  private readonly reassembler = new Reassembler();
  private sender: FragmentSender | undefined;

  constructor(private readonly o: FragmentServerOptions) {}

  /** One EAP Response's type-data. A client that breaks the exchange throws: the test fails there. */
  receive(typeData: Buffer): FragmentStep {
    const f = decodeTlsFragment(typeData);
    if (!f.ok) throw new Error(`client sent a bad fragment: ${f.error.reason}`);
    const fragment = f.value;
    if (this.sender !== undefined && this.sender.pending > 0) {
      if (fragment.data.length !== 0) throw new Error('client sent data instead of an ACK');
      this.sendNext();
      return { kind: 'answered', fragment };
    }
    const step = this.reassembler.push(fragment);
    if (step.kind === 'error') throw new Error(`client fragments: ${step.error.kind}`);
    if (step.kind === 'need-more') {
      this.o.request(this.o.ack);
      return { kind: 'answered', fragment };
    }
    return { kind: 'message', fragment, message: step.message };
  }

  /** Our flight: its first fragment now, the rest one per client ACK. */
  send(flight: Buffer): void {
    this.sender = new FragmentSender(flight, this.o.fragment);
    this.sendNext();
  }

  private sendNext(): void {
    const f = this.sender?.next();
    if (f !== undefined) this.o.request(encodeTlsFragment(f));
  }
}
