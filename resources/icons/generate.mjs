// Draws Causeway's icons (no image tools needed): a bridge arc over water, in the tray state's color.
/* global Buffer */
// Run `node resources/icons/generate.mjs` after changing a color; the PNGs are committed.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5, size);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

// Disc in `color`, white bridge arc and deck; `ring` draws an outline-only disc (disconnected).
function icon(color, { ring = false } = {}) {
  const c = hex(color);
  return (x, y, s) => {
    const u = x / s,
      v = y / s;
    const d = Math.hypot(u - 0.5, v - 0.5);
    const inDisc = d < 0.47;
    const onRing = d > 0.39 && d < 0.47;
    const arc = Math.abs(Math.hypot(u - 0.5, v - 0.78) - 0.3) < 0.055 && v < 0.7;
    const deck = v > 0.6 && v < 0.68 && u > 0.18 && u < 0.82;
    const pillar = (Math.abs(u - 0.33) < 0.035 || Math.abs(u - 0.67) < 0.035) && v > 0.4 && v < 0.75;
    const mark = (arc || deck || pillar) && d < 0.39;
    if (!inDisc) return [0, 0, 0, 0];
    if (ring) return onRing || mark ? [...c, 255] : [0, 0, 0, 0];
    return mark ? [255, 255, 255, 255] : [...c, 255];
  };
}

const STATES = {
  disconnected: ['#6e7781', { ring: true }],
  connecting: ['#bf8700', {}],
  connected: ['#1a7f37', {}],
  error: ['#cf222e', {}],
};
for (const [state, [color, opts]] of Object.entries(STATES)) {
  writeFileSync(`${here}tray-${state}.png`, png(22, icon(color, opts)));
  writeFileSync(`${here}tray-${state}@2x.png`, png(44, icon(color, opts)));
}
writeFileSync(`${here}causeway.png`, png(512, icon('#0b63c5')));
writeFileSync(`${here}256x256.png`, png(256, icon('#0b63c5')));
