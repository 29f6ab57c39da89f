// An EAP-TLS authenticator (server side) for unit tests, with a real node:tls server inside: it
// sends Start, ACKs our fragments, fragments its own flights, and after the handshake decides by
// the client certificate (a CA list and a validity check, as SoftEther's SamAuthUserByCert does).
// `ackStyle: 'softether'` ACKs with an EAP-TLS Request that has no Flags octet, as SoftEther 5.01.
import { X509Certificate } from 'node:crypto';
import { TLSSocket, createSecureContext } from 'node:tls';
import { decodeEap } from '../../../../../main/engine/ppp/auth/eap-packet.js';
import { turns } from './eap-exchange.js';
import { packet } from './fake-context.js';
import { FragmentServer, TlsWire } from './tls-fragment-server.js';

export interface EapTlsServerOptions {
  readonly certPem: string;
  readonly keyPem: string;
  /** CA(s) whose client certificates are accepted. */
  readonly clientCaPem: string;
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** TLS data per fragment the server sends. */
  readonly fragment?: number;
  readonly ackStyle?: 'rfc' | 'softether';
  /** Groups the server accepts (e.g. 'P-384' alone makes a TLS 1.3 client retry its ClientHello). */
  readonly ecdhCurve?: string;
  /** Time used for the client certificate's validity (ms since epoch). */
  readonly now?: () => number;
}

export type ServerOutcome =
  | { readonly ok: true; readonly msk: Buffer; readonly clientSubject: string }
  | { readonly ok: false; readonly why: string };

export class EapTlsTestServer {
  private id = 0x40;
  private readonly wire = new TlsWire();
  private readonly tls: TLSSocket;
  private readonly fragments: FragmentServer;
  private secure = false;
  /** Packets to deliver to the client (PPP EAP information fields). */
  readonly outbox: Buffer[] = [];
  /** Every EAP packet the client sent, for assertions (sizes, flags). */
  readonly received: Buffer[] = [];
  outcome: ServerOutcome | undefined;
  /** NSS key log lines of the server's TLS, and its flights as sent: for checking the MSK independently. */
  readonly keylog: string[] = [];
  readonly flights: Buffer[] = [];
  cipher: string | undefined;

  constructor(private readonly o: EapTlsServerOptions) {
    this.fragments = new FragmentServer({
      fragment: o.fragment ?? 1000,
      ack: o.ackStyle === 'softether' ? Buffer.alloc(0) : Buffer.of(0),
      request: (typeData) => this.request(typeData),
    });
    this.tls = new TLSSocket(this.wire, {
      isServer: true,
      secureContext: createSecureContext({
        cert: o.certPem,
        key: o.keyPem,
        ca: o.clientCaPem,
        maxVersion: o.maxVersion ?? 'TLSv1.3',
        ...(o.ecdhCurve !== undefined ? { ecdhCurve: o.ecdhCurve } : {}),
      }),
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.tls.on('secure', () => {
      this.secure = true;
      this.cipher = this.tls.getCipher().standardName;
    });
    this.tls.on('keylog', (line: Buffer) => this.keylog.push(line.toString('latin1').trim()));
    this.tls.on('error', (e: Error) => (this.outcome ??= { ok: false, why: `tls: ${e.message}` }));
    this.tls.on('data', () => {});
  }

  start(): void {
    this.request(Buffer.of(0x20));
  }

  async receive(p: Buffer): Promise<void> {
    this.received.push(Buffer.from(p));
    const d = decodeEap(p);
    if (!d.ok || d.value.code !== 'response' || d.value.type !== 13) {
      this.outcome ??= { ok: false, why: `unexpected ${d.ok ? `${d.value.code}` : d.error.reason}` };
      return;
    }
    const step = this.fragments.receive(d.value.data);
    if (step.kind === 'answered') return;
    if (step.message.length > 0) {
      this.wire.push(step.message);
      await turns(20);
    }
    const out = Buffer.concat(this.wire.out.splice(0));
    if (out.length > 0) {
      this.flights.push(out);
      this.fragments.send(out);
      return;
    }
    if (this.secure) return this.decide();
    this.outcome ??= { ok: false, why: 'client ACKed but TLS is not finished' };
    this.finish(false);
  }

  private decide(): void {
    const cert = this.tls.getPeerX509Certificate();
    const now = this.o.now?.() ?? Date.now();
    const ca = new X509Certificate(this.o.clientCaPem);
    let why: string | undefined;
    if (cert === undefined) why = 'no client certificate';
    else if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) why = 'client certificate not issued by the CA';
    else if (Date.parse(cert.validTo) < now || Date.parse(cert.validFrom) > now) why = 'client certificate expired';
    if (why !== undefined || cert === undefined) {
      this.outcome = { ok: false, why: why ?? 'no client certificate' };
      this.finish(false);
      return;
    }
    const label = this.tls.getProtocol() === 'TLSv1.3' ? 'EXPORTER_EAP_TLS_Key_Material' : 'client EAP encryption';
    const msk =
      this.tls.getProtocol() === 'TLSv1.3'
        ? this.tls.exportKeyingMaterial(128, label, Buffer.of(13))
        : this.tls.exportKeyingMaterial(128, label, undefined as unknown as Buffer);
    this.outcome = { ok: true, msk: msk.subarray(0, 64), clientSubject: cert.subject };
    this.finish(true);
  }

  private request(typeData: Buffer): void {
    this.id = (this.id + 1) & 0xff;
    this.outbox.push(packet(1, this.id, Buffer.of(13), typeData));
  }

  private finish(ok: boolean): void {
    this.outbox.push(packet(ok ? 3 : 4, this.id));
    this.tls.destroy();
  }

  close(): void {
    this.tls.destroy();
  }
}
