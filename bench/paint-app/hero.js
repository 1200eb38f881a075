// SPDX-License-Identifier: Apache-2.0
// The hero image of the paint-time page, generated (no image in the
// repository's sources): a harbour at dusk, 1200 x 675, as a PNG of about
// 250 KB. Its size is the point: at 1.6 Mbit/s it takes over a second, and
// it is the page's largest contentful paint. The same bytes at every build
// (a fixed seed), so the built file's name does not change.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const W = 1200;
const H = 675;

function mulberry32(seed) {
  return function () {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function heroPng() {
  const rand = mulberry32(20261207);
  const horizon = Math.round(H * 0.58);
  // the skyline: buildings of random widths and heights along the horizon
  const roof = new Array(W).fill(horizon);
  for (let x = 0; x < W;) {
    const w = 20 + Math.floor(rand() * 70);
    const h = 30 + Math.floor(rand() * 160);
    for (let i = x; i < Math.min(W, x + w); i++) roof[i] = horizon - h;
    x += w + Math.floor(rand() * 12);
  }
  const raw = Buffer.alloc((W * 3 + 1) * H);
  let o = 0;
  for (let y = 0; y < H; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < W; x++) {
      let r, g, b;
      // grain here and there, which PNG cannot squeeze: the file's size
      const n = rand() < 0.07 ? (rand() - 0.5) * 40 : 0;
      if (y < horizon && y < roof[x]) {
        const t = y / horizon; // sky: violet to orange
        r = 70 + 170 * t; g = 40 + 90 * t; b = 120 - 40 * t;
      } else if (y < horizon) {
        // a building, with a lit window now and then
        const lit = (x % 9 < 4) && (y % 12 < 6) && ((x * 7 + y * 13) % 5 === 0);
        r = lit ? 250 : 30; g = lit ? 210 : 28; b = lit ? 120 : 45;
      } else {
        // water: the sky and the lights, broken up by ripples
        const d = (y - horizon) / (H - horizon);
        const ripple = Math.sin(x / 7 + y * 1.3) * 18 * (1 - d);
        r = 60 + 90 * (1 - d) + ripple; g = 40 + 50 * (1 - d) + ripple / 2; b = 90 + 20 * d;
      }
      raw[o++] = Math.max(0, Math.min(255, Math.round(r + n)));
      raw[o++] = Math.max(0, Math.min(255, Math.round(g + n)));
      raw[o++] = Math.max(0, Math.min(255, Math.round(b + n)));
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0);
  ihdr.writeUInt32BE(H, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function writeHero(path) {
  writeFileSync(path, heroPng());
}
