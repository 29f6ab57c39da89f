// The three pcapng blocks a capture needs (draft-ietf-opsawg-pcapng §4.1 SHB, §4.2 IDB, §4.3 EPB),
// little-endian (the byte-order magic tells readers). Pure encoders: bytes out, no I/O.

const SHB_TYPE = 0x0a0d0d0a;
const IDB_TYPE = 0x00000001;
const EPB_TYPE = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const EPB_FLAGS = 2;

/** LINKTYPE_WIRESHARK_UPPER_PDU: each packet starts with exported-PDU tags naming its dissector. */
export const LINKTYPE_WIRESHARK_UPPER_PDU = 252;

export type PacketDirection = 'inbound' | 'outbound';

interface Option {
  readonly code: number;
  readonly value: Buffer;
}

const pad4 = (n: number): number => (n + 3) & ~3;

function optionsLength(options: readonly Option[]): number {
  if (options.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const o of options) n += 4 + pad4(o.value.length);
  return n;
}

function writeOptions(out: Buffer, at: number, options: readonly Option[]): number {
  if (options.length === 0) return at;
  for (const o of options) {
    out.writeUInt16LE(o.code, at);
    out.writeUInt16LE(o.value.length, at + 2);
    o.value.copy(out, at + 4);
    at += 4 + pad4(o.value.length); // padding is already zero (Buffer.alloc)
  }
  out.writeUInt16LE(OPT_END, at);
  out.writeUInt16LE(0, at + 2);
  return at + 4;
}

/** A block: type, total length, body, options, total length again. */
function block(type: number, body: Buffer, options: readonly Option[]): Buffer {
  const total = 12 + pad4(body.length) + optionsLength(options);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  writeOptions(out, 8 + pad4(body.length), options);
  out.writeUInt32LE(total, total - 4);
  return out;
}

const text = (code: number, s: string): Option => ({ code, value: Buffer.from(s, 'utf8') });

export function sectionHeaderBlock(application: string, comment?: string): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  body.writeUInt16LE(1, 4); // major
  body.writeUInt16LE(0, 6); // minor
  body.writeBigInt64LE(-1n, 8); // section length not known in advance
  const options = [text(SHB_USERAPPL, application), ...(comment ? [text(OPT_COMMENT, comment)] : [])];
  return block(SHB_TYPE, body, options);
}

/** Time stamps in microseconds (if_tsresol 6), which is also the pcapng default. */
export function interfaceDescriptionBlock(linkType: number, name: string, snapLength = 0): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16LE(linkType, 0);
  body.writeUInt32LE(snapLength, 4); // 0: no limit
  return block(IDB_TYPE, body, [text(IF_NAME, name), { code: IF_TSRESOL, value: Buffer.from([6]) }]);
}

/** One packet on interface `interfaceId`, at `micros` since the epoch, with its direction flag. */
export function enhancedPacketBlock(
  interfaceId: number,
  micros: bigint,
  data: Buffer,
  direction: PacketDirection,
): Buffer {
  const body = Buffer.alloc(20 + data.length);
  body.writeUInt32LE(interfaceId, 0);
  body.writeUInt32LE(Number(micros >> 32n) >>> 0, 4);
  body.writeUInt32LE(Number(micros & 0xffffffffn) >>> 0, 8);
  body.writeUInt32LE(data.length, 12);
  body.writeUInt32LE(data.length, 16);
  data.copy(body, 20);
  // epb_flags bits 0-1: 01 inbound, 10 outbound.
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(direction === 'inbound' ? 1 : 2, 0);
  return block(EPB_TYPE, body, [{ code: EPB_FLAGS, value: flags }]);
}
