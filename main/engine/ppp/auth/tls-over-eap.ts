// A real TLS client (node:tls, OpenSSL) whose "socket" is an in-memory Duplex: TLS records go in
// and out as whole messages, so an EAP method (EAP-TLS, PEAP) can carry them in its fragments.
//
// Driving it: `start()` yields the ClientHello; each reassembled server message goes to
// `receive()`, which yields whatever TLS wrote in answer (possibly nothing: then the method sends
// an empty ACK). Both resolve once OpenSSL has finished with the input: TLS processing is spread
// over a few event-loop turns, so we wait until a couple of turns pass without any TLS activity
// (no wall clock involved, and bounded). After the handshake, `keyingMaterial()` is the RFC 5705
// exporter the EAP methods derive their MSK from; application data (PEAP's inner EAP) flows with
// `writeApplication()` and the `onApplicationData` callback.
import { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';

export interface TlsOverEapOptions {
  /** The client certificate: PKCS#12 or PEM key + certificate chain. */
  readonly pfx?: Buffer;
  readonly passphrase?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** SNI inside EAP; usually absent (Windows sends none). */
  readonly servername?: string;
  /** Decrypted application data from the server (PEAP's tunnelled EAP; the TLS 1.3 commitment byte). */
  readonly onApplicationData?: (data: Buffer) => void;
}

export type TlsStep =
  { readonly kind: 'output'; readonly data: Buffer } | { readonly kind: 'error'; readonly error: TlsOverEapError };

export type TlsOverEapError =
  /** The client certificate could not be loaded (bad PKCS#12, wrong passphrase, key mismatch). */
  | { readonly kind: 'client-certificate'; readonly message: string }
  /** The server sent a TLS alert (for instance "unknown ca", "certificate expired", "bad certificate"). */
  | { readonly kind: 'alert'; readonly alert: string; readonly message: string }
  /** Any other TLS failure: protocol version, cipher, garbage from the server. */
  | { readonly kind: 'tls'; readonly message: string };

/** Turns of the event loop to wait at most for TLS to finish with one input (each is microseconds). */
const MAX_TURNS = 2000;
/** Consecutive idle turns that count as "TLS is done with this input". */
const QUIET_TURNS = 3;

class Wire extends Duplex {
  readonly out: Buffer[] = [];
  constructor(private readonly touched: () => void) {
    super();
  }
  override _read(): void {
    // Input is pushed by TlsOverEap.receive(); nothing to pull.
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.out.push(chunk);
    this.touched();
    done();
  }
}

export class TlsOverEap {
  private readonly wire: Wire;
  private readonly socket: TLSSocket | undefined;
  private activity = 0;
  private failure: TlsOverEapError | undefined;
  private connected = false;
  private closed = false;

  constructor(options: TlsOverEapOptions) {
    this.wire = new Wire(() => this.touch());
    const tlsOptions: ConnectionOptions = {
      socket: this.wire,
      // The method judges the server certificate itself (it must, before our certificate leaves in
      // TLS 1.2): OpenSSL's verdict is not what decides.
      rejectUnauthorized: false,
      minVersion: options.minVersion ?? 'TLSv1.2',
      maxVersion: options.maxVersion ?? 'TLSv1.3',
      ...(options.servername !== undefined ? { servername: options.servername } : {}),
      ...(options.pfx !== undefined ? { pfx: options.pfx, passphrase: options.passphrase ?? '' } : {}),
      ...(options.certPem !== undefined && options.keyPem !== undefined
        ? { cert: options.certPem, key: options.keyPem }
        : {}),
    };
    let socket: TLSSocket;
    try {
      socket = connect(tlsOptions);
    } catch (e) {
      // Key and certificate are parsed synchronously by createSecureContext.
      this.failure = { kind: 'client-certificate', message: errorText(e) };
      this.socket = undefined;
      return;
    }
    this.socket = socket;
    socket.on('secureConnect', () => {
      this.connected = true;
      this.touch();
    });
    socket.on('error', (e: Error) => {
      this.failure ??= classify(e);
      this.touch();
    });
    socket.on('data', (d: Buffer) => {
      this.touch();
      options.onApplicationData?.(d);
    });
  }

  /** True once the TLS handshake finished (our Finished sent and, in TLS 1.2, the server's checked). */
  get handshakeDone(): boolean {
    return this.connected;
  }

  /** The failure that ended TLS, if any. */
  get error(): TlsOverEapError | undefined {
    return this.failure;
  }

  /** The ClientHello. */
  start(): Promise<TlsStep> {
    return this.step();
  }

  /** One whole TLS message from the server; resolves with what TLS wrote in answer. */
  receive(message: Buffer): Promise<TlsStep> {
    if (this.failure === undefined && !this.closed) {
      this.wire.push(Buffer.from(message));
      this.touch();
    }
    return this.step();
  }

  /** Plaintext to the server through the tunnel (PEAP); resolves with the records to send. */
  writeApplication(data: Buffer): Promise<TlsStep> {
    if (this.failure === undefined && !this.closed) this.socket?.write(data);
    return this.step();
  }

  /** The server's leaf certificate once TLS has seen it (mid-handshake included), else undefined. */
  peerCertificate(): X509Certificate | undefined {
    if (this.socket === undefined) return undefined;
    return this.socket.getPeerX509Certificate() ?? undefined;
  }

  /** Our own certificate as TLS loaded it (to explain an expiry), once TLS has started. */
  localCertificate(): X509Certificate | undefined {
    return this.socket?.getX509Certificate() ?? undefined;
  }

  /** The server's chain as sent (leaf first), DER; empty before the Certificate message. */
  peerChainDer(): Buffer[] {
    if (this.socket === undefined) return [];
    const out: Buffer[] = [];
    let c = this.socket.getPeerCertificate(true) as { raw?: Buffer; issuerCertificate?: unknown } | null;
    const seen = new Set<string>();
    while (c !== null && c.raw !== undefined && out.length < 16) {
      const key = c.raw.toString('base64');
      if (seen.has(key)) break; // a self-signed root points at itself
      seen.add(key);
      out.push(c.raw);
      c = (c.issuerCertificate ?? null) as typeof c;
    }
    return out;
  }

  /** 'TLSv1.2' or 'TLSv1.3' after the handshake; null before. */
  get protocol(): string | null {
    return this.socket?.getProtocol() ?? null;
  }

  /** RFC 5705 exporter (TLS 1.3: RFC 8446 §7.5). Only valid after the handshake. */
  keyingMaterial(length: number, label: string, context?: Buffer): Buffer {
    if (this.socket === undefined || !this.connected)
      throw new Error('TLS keying material before the handshake finished');
    // Node's typings make the context mandatory, but RFC 5705 tells "no context" (TLS 1.2 EAP-TLS,
    // PEAP) apart from an empty one, and Node passes an undefined context as none.
    const exporter = this.socket.exportKeyingMaterial.bind(this.socket) as (
      l: number,
      lab: string,
      c?: Buffer,
    ) => Buffer;
    return exporter(length, label, context);
  }

  /** Ends TLS silently: nothing more is produced or reported. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.destroy();
    this.wire.destroy();
  }

  private touch(): void {
    this.activity += 1;
  }

  private async step(): Promise<TlsStep> {
    if (this.failure === undefined && !this.closed) await this.settle();
    const data = Buffer.concat(this.wire.out.splice(0));
    if (this.failure !== undefined) return { kind: 'error', error: this.failure };
    return { kind: 'output', data };
  }

  private async settle(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; turn < MAX_TURNS && quiet < QUIET_TURNS; turn++) {
      const before = this.activity;
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = this.activity === before ? quiet + 1 : 0;
    }
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// OpenSSL reports a received alert as "...:SSL alert number 48" with reason "tlsv1 alert unknown ca".
function classify(e: Error): TlsOverEapError {
  const err = e as Error & { code?: string; reason?: string };
  const text = `${err.code ?? ''} ${err.reason ?? ''} ${err.message}`;
  const alert = /(?:tlsv1|sslv3|tlsv13) alert ([a-z ]+)/i.exec(text)?.[1]?.trim();
  if (alert !== undefined) return { kind: 'alert', alert, message: err.message };
  if (/mac verify failure|pkcs12|PEM|key values mismatch|bad decrypt|no start line/i.test(text)) {
    return { kind: 'client-certificate', message: err.message };
  }
  return { kind: 'tls', message: err.message };
}
