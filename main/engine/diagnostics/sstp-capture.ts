// `--capture FILE.pcapng`: the decrypted SSTP stream as Wireshark reads it. One packet per SSTP packet
// (the stream is re-delineated per direction, as the dissector wants whole PDUs), each tagged with
// Wireshark's "sstp" dissector and the TCP endpoints, so SSTP → PPP → LCP/auth/IPCP → IP dissect
// with no decode-as. Secrets in the authentication exchange are blanked (./redact-auth.ts).
import { SstpDeframer, type DeframeSink } from '../sstp/deframer.js';
import { AppendFile, type AppendFileOptions, type AppendStopped } from './append-file.js';
import { exportedPduHeader, type PduEndpoint } from './exported-pdu.js';
import {
  enhancedPacketBlock,
  interfaceDescriptionBlock,
  LINKTYPE_WIRESHARK_UPPER_PDU,
  sectionHeaderBlock,
} from './pcapng.js';
import { redactPppFrame } from './redact-auth.js';
import type { StreamTap, TapDirection, TapEndpoints, TapPhase } from './stream-tap.js';

/** Microseconds since the epoch; injected for tests. */
export type MicrosClock = () => bigint;

export const systemMicros: MicrosClock = (() => {
  // Date.now() has millisecond steps; performance.now() gives the sub-millisecond order of packets.
  const origin = BigInt(Date.now()) * 1000n - BigInt(Math.round(performance.now() * 1000));
  return () => origin + BigInt(Math.round(performance.now() * 1000));
})();

export interface SstpCaptureOptions {
  readonly onStop: (s: AppendStopped) => void;
  readonly now?: MicrosClock;
  readonly application?: string;
  readonly owner?: AppendFileOptions['owner'];
}

/** Placeholder endpoints when the socket could not tell its own (the columns still show direction). */
const UNKNOWN: TapEndpoints = { local: { address: '0.0.0.0', port: 0 }, remote: { address: '0.0.0.0', port: 443 } };

export class SstpCapture implements StreamTap {
  private endpoints: TapEndpoints = UNKNOWN;
  private readonly deframers: Record<TapDirection, SstpDeframer> = { out: new SstpDeframer(), in: new SstpDeframer() };
  private readonly now: MicrosClock;
  private packets = 0;

  private constructor(
    private readonly file: AppendFile,
    o: SstpCaptureOptions,
  ) {
    this.now = o.now ?? systemMicros;
    file.append(
      Buffer.concat([
        sectionHeaderBlock(o.application ?? 'Causeway'),
        interfaceDescriptionBlock(LINKTYPE_WIRESHARK_UPPER_PDU, 'sstp (decrypted)'),
      ]),
    );
  }

  static open(
    path: string,
    o: SstpCaptureOptions,
  ): { ok: true; capture: SstpCapture } | { ok: false; message: string } {
    const f = AppendFile.open(path, { mode: 'truncate', onStop: o.onStop, ...(o.owner ? { owner: o.owner } : {}) });
    return f.ok ? { ok: true, capture: new SstpCapture(f.file, o) } : f;
  }

  get packetCount(): number {
    return this.packets;
  }

  get bytesWritten(): number {
    return this.file.written;
  }

  close(): Promise<void> {
    return this.file.close();
  }

  open(endpoints: TapEndpoints | undefined): void {
    this.endpoints = endpoints ?? UNKNOWN;
    // A reconnect starts a new stream in both directions.
    this.deframers.out = new SstpDeframer();
    this.deframers.in = new SstpDeframer();
  }

  keylog(): void {}

  bytes(direction: TapDirection, phase: TapPhase, chunk: Buffer): void {
    if (this.file.isStopped) return;
    if (phase === 'http') {
      this.record(direction, 'http', chunk);
      return;
    }
    const d = this.deframers[direction];
    if (d.failed) {
      // Bytes that are not SSTP any more (the session aborts on them) are kept as raw data.
      this.record(direction, 'data', chunk);
      return;
    }
    const sink: DeframeSink = {
      data: (bytes, start, end) =>
        this.record(direction, 'sstp', redactPppFrame(bytes, start, end) ?? bytes.subarray(start - 4, end)),
      control: (packet) => this.record(direction, 'sstp', packet),
    };
    if (d.pushTo(chunk, sink) !== undefined) this.record(direction, 'data', chunk);
  }

  private record(direction: TapDirection, protocol: string, payload: Buffer): void {
    const e = this.endpoints;
    const [src, dst]: [PduEndpoint, PduEndpoint] = direction === 'out' ? [e.local, e.remote] : [e.remote, e.local];
    const data = Buffer.concat([exportedPduHeader(protocol, src, dst), payload]);
    this.file.append(enhancedPacketBlock(0, this.now(), data, direction === 'out' ? 'outbound' : 'inbound'));
    this.packets++;
  }
}
