// A PEAPv0 authenticator (server side) for unit tests: a real node:tls server inside EAP type 25,
// then EAP-MSCHAPv2 inside the tunnel decided by the strict peer's own verifier, then the Result
// TLV. Knobs make it misbehave the ways a hostile or broken server could.
import { TLSSocket, createSecureContext } from 'node:tls';
import { decodeEap } from '../../../../../main/engine/ppp/auth/eap-packet.js';
import { encodePacket } from '../../../../../main/engine/ppp/auth/packet-header.js';
import { decodeTlvs, encodeTlv, resultTlv } from '../../../../../main/engine/ppp/auth/peap-tlv.js';
import { MsChapV2Verifier } from '../../../../peers/mschapv2-verifier.js';
import { turns } from './eap-exchange.js';
import { FragmentServer, TlsWire } from './tls-fragment-server.js';

export interface PeapServerOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly users: Readonly<Record<string, string>>;
  /** PEAP version offered in the Start (the client must answer 0). */
  readonly offerVersion?: number;
  /** TLS data per server fragment. */
  readonly fragment?: number;
  /** Send the Result TLV success right after the MS-CHAPv2 Response, skipping the server's proof. */
  readonly resultBeforeProof?: boolean;
  readonly wrongAuthenticatorResponse?: boolean;
  /** Add a Crypto-Binding TLV to the Result request, as Windows NPS does. */
  readonly cryptoBinding?: boolean;
  /** Send EAP-Success as soon as the tunnel is up, before any inner method. */
  readonly successAfterHandshake?: boolean;
}

type Inner = 'handshake' | 'identity' | 'challenge' | 'success-sent' | 'failure-sent' | 'result-sent' | 'done';

export class PeapTestServer {
  private id = 0x20;
  private readonly msId = 0x33;
  private readonly wire = new TlsWire();
  private readonly tls: TLSSocket;
  private readonly fragments: FragmentServer;
  private readonly verifier: MsChapV2Verifier;
  private secure = false;
  private inner: Inner = 'handshake';
  private readonly plaintext: Buffer[] = [];
  private innerOk = false;
  readonly outbox: Buffer[] = [];
  /** Every EAP packet the client sent. */
  readonly received: Buffer[] = [];
  /** Inner messages the client sent through the tunnel, decrypted. */
  readonly innerReceived: Buffer[] = [];
  msk: Buffer | undefined;
  problem: string | undefined;

  constructor(private readonly o: PeapServerOptions) {
    this.fragments = new FragmentServer({
      fragment: o.fragment ?? 1000,
      ack: Buffer.of(0),
      request: (typeData) => this.request(typeData),
    });
    this.tls = new TLSSocket(this.wire, {
      isServer: true,
      secureContext: createSecureContext({ cert: o.certPem, key: o.keyPem, maxVersion: 'TLSv1.2' }),
    });
    this.verifier = new MsChapV2Verifier(o.users, o.wrongAuthenticatorResponse ?? false);
    this.tls.on('secure', () => {
      this.secure = true;
      this.msk = this.tls.exportKeyingMaterial(64, 'client EAP encryption', undefined as unknown as Buffer);
    });
    this.tls.on('error', (e: Error) => (this.problem ??= `tls: ${e.message}`));
    this.tls.on('data', (d: Buffer) => this.plaintext.push(Buffer.from(d)));
  }

  start(): void {
    this.request(Buffer.of(0x20 | (this.o.offerVersion ?? 0)));
  }

  async receive(p: Buffer): Promise<void> {
    this.received.push(Buffer.from(p));
    const d = decodeEap(p);
    if (!d.ok || d.value.code !== 'response' || d.value.type !== 25)
      throw new Error(
        `client sent ${d.ok ? `${d.value.code} type ${d.value.code === 'response' ? d.value.type : ''}` : d.error.reason}`,
      );
    const step = this.fragments.receive(d.value.data);
    const version = step.fragment.version;
    if (version !== 0) this.problem ??= `client answered PEAP version ${version}`;
    if (step.kind === 'answered') return;
    if (step.message.length > 0) {
      this.wire.push(step.message);
      await turns(20);
    }
    if (this.plaintext.length > 0) this.onInner(Buffer.concat(this.plaintext.splice(0)));
    else if (this.secure && this.inner === 'handshake' && this.wire.out.length === 0) this.tunnelUp();
    await turns(20);
    const out = Buffer.concat(this.wire.out.splice(0));
    if (out.length > 0) this.fragments.send(out);
  }

  private tunnelUp(): void {
    if (this.o.successAfterHandshake) return this.finish(true);
    this.inner = 'identity';
    this.tls.write(Buffer.of(1)); // inner Identity Request, header left out (PEAPv0)
  }

  private onInner(m: Buffer): void {
    this.innerReceived.push(m);
    switch (this.inner) {
      case 'identity':
        this.inner = 'challenge';
        this.tls.write(
          Buffer.concat([
            Buffer.of(26),
            encodePacket(1, this.msId, Buffer.of(16), this.verifier.challenge, Buffer.from('peap-test')),
          ]),
        );
        return;
      case 'challenge': {
        const chap = m.subarray(1);
        const valueSize = chap[4] ?? 0;
        const v = this.verifier.verify(chap.subarray(5, 5 + valueSize), chap.subarray(5 + valueSize));
        if (this.o.resultBeforeProof) return this.result(v.ok);
        this.inner = v.ok ? 'success-sent' : 'failure-sent';
        this.tls.write(Buffer.concat([Buffer.of(26), encodePacket(v.ok ? 3 : 4, this.msId, Buffer.from(v.message))]));
        return;
      }
      case 'success-sent':
      case 'failure-sent':
        return this.result(this.inner === 'success-sent' && m.equals(Buffer.of(26, 3)));
      case 'result-sent': {
        // The Extensions Response keeps its header: 02 id len 21 TLVs.
        const tlvs = m[0] === 2 && m[4] === 33 ? decodeTlvs(m.subarray(5)) : undefined;
        const said = tlvs?.ok ? tlvs.value.find((t) => t.type === 3)?.value.readUInt16BE(0) : undefined;
        this.inner = 'done';
        return this.finish(this.innerOk && said === 1);
      }
      default:
        this.problem ??= `inner message in state ${this.inner}`;
    }
  }

  private result(ok: boolean): void {
    this.innerOk = ok;
    this.inner = 'result-sent';
    const tlvs = [resultTlv(ok ? 1 : 2), ...(this.o.cryptoBinding ? [encodeTlv(12, false, Buffer.alloc(56))] : [])];
    this.tls.write(encodePacket(1, 0x77, Buffer.of(33), ...tlvs));
  }

  private request(typeData: Buffer): void {
    this.id = (this.id + 1) & 0xff;
    this.outbox.push(encodePacket(1, this.id, Buffer.of(25), typeData));
  }

  private finish(ok: boolean): void {
    this.outbox.push(encodePacket(ok ? 3 : 4, this.id));
  }

  close(): void {
    this.tls.destroy();
  }
}
