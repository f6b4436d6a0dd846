// Draws CloudRig's tray icons and app icon (no image tools needed): `node scripts/make-icons.mjs`.
// Tray, one shape per state: black-and-alpha "Template" PNGs at 16 px and 32 px (@2x) for the macOS
// menu bar, which tints them itself; coloured ICOs holding 16, 20, 24, 32 and 48 px for Windows, which
// picks the size for the display's scale (a PNG would be scaled, and soft); coloured PNGs at 22, 24
// and 32 px for Linux panels (src/main/desktop.ts picks one), and 16/32 px ones as before.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGBA PNG from a size and a pixel function returning [r, g, b, a] (0–255). */
function png(size, pixel) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) row.set(pixel(x, y), 1 + x * 4);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Anti-aliased coverage of a shape given in unit coordinates (-1..1), 4×4 samples per pixel. */
function coverage(size, inside) {
  return (x, y) => {
    let hits = 0;
    for (let sy = 0; sy < 4; sy++) {
      for (let sx = 0; sx < 4; sx++) {
        const u = ((x + (sx + 0.5) / 4) / size) * 2 - 1;
        const v = ((y + (sy + 0.5) / 4) / size) * 2 - 1;
        if (inside(u, v)) hits++;
      }
    }
    return hits / 16;
  };
}

const R = 0.78; // circle radius
const W = 0.16; // ring width
const ring = (u, v) => Math.abs(Math.hypot(u, v) - R + W / 2) < W / 2;
const disc = (u, v) => Math.hypot(u, v) < R;

/** The five tray states: stopped (ring), starting (ring + dot), ready (disc), stopping (ring + bar), error (disc with "!"). */
const SHAPES = {
  stopped: ring,
  starting: (u, v) => ring(u, v) || Math.hypot(u, v) < 0.3,
  ready: disc,
  stopping: (u, v) => ring(u, v) || (Math.abs(v) < 0.12 && Math.abs(u) < 0.42),
  error: (u, v) => disc(u, v) && !((Math.abs(u) < 0.11 && v > -0.5 && v < 0.14) || Math.hypot(u, v - 0.36) < 0.12),
};

const COLOURS = {
  stopped: [138, 143, 152],
  starting: [240, 160, 32],
  ready: [47, 179, 107],
  stopping: [240, 160, 32],
  error: [229, 72, 77],
};

function write(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/** The pixels of a shape at a size, in one colour: rows top to bottom of [r, g, b, a]. */
function pixels(size, shape, [r, g, b]) {
  const cover = coverage(size, shape);
  return (x, y) => [r, g, b, Math.round(255 * cover(x, y))];
}

/**
 * One image of an ICO file: a 32-bit BITMAPINFOHEADER DIB (what every Windows icon loader reads),
 * rows bottom to top in BGRA, its height counted twice for the AND mask that follows (all zero:
 * the alpha channel decides), each mask row padded to 4 bytes.
 */
function icoImage(size, pixel) {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8);
  header.writeUInt16LE(1, 12); // planes
  header.writeUInt16LE(32, 14); // bits per pixel
  const colour = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      colour.set([b, g, r, a], ((size - 1 - y) * size + x) * 4);
    }
  }
  const mask = Buffer.alloc(Math.ceil(size / 32) * 4 * size);
  return Buffer.concat([header, colour, mask]);
}

/** An ICO file (ICONDIR, one ICONDIRENTRY per image, then the images) from [size, pixel] pairs. */
function ico(images) {
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // 1: icon
  dir.writeUInt16LE(images.length, 4);
  const bodies = images.map(([size, pixel]) => icoImage(size, pixel));
  let offset = dir.length;
  images.forEach(([size], index) => {
    const entry = 6 + 16 * index;
    dir.writeUInt8(size >= 256 ? 0 : size, entry);
    dir.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    dir.writeUInt16LE(1, entry + 4); // planes
    dir.writeUInt16LE(32, entry + 6); // bits per pixel
    dir.writeUInt32LE(bodies[index].length, entry + 8);
    dir.writeUInt32LE(offset, entry + 12);
    offset += bodies[index].length;
  });
  return Buffer.concat([dir, ...bodies]);
}

/**
 * The sizes Windows picks from for the notification area, as Electron's nativeImage docs list
 * small icons: 16 at 100 %, 20 at 125 %, 24 at 150 %, 32 at 200 % display scale; 48 beyond.
 */
const ICO_SIZES = [16, 20, 24, 32, 48];
/** The sizes Linux panels draw tray icons at (KDE Plasma 22, Xfce 24, larger and HiDPI panels 32). */
const LINUX_SIZES = [22, 24, 32];

for (const [name, shape] of Object.entries(SHAPES)) {
  const colour = COLOURS[name];
  for (const [suffix, size] of [['', 16], ['@2x', 32]]) {
    write(join(root, 'tray', `${name}${suffix}.png`), png(size, pixels(size, shape, colour)));
    write(join(root, 'tray', `${name}Template${suffix}.png`), png(size, pixels(size, shape, [0, 0, 0])));
  }
  write(join(root, 'tray', `${name}.ico`), ico(ICO_SIZES.map((size) => [size, pixels(size, shape, colour)])));
  for (const size of LINUX_SIZES) write(join(root, 'tray', `${name}-${size}.png`), png(size, pixels(size, shape, colour)));
}

// The app icon: a white cloud with a green "running" dot on a blue rounded square.
const APP = 1024;
const roundedSquare = (u, v) => {
  const k = 0.22;
  const dx = Math.max(Math.abs(u) - (0.9 - k), 0);
  const dy = Math.max(Math.abs(v) - (0.9 - k), 0);
  return Math.hypot(dx, dy) < k;
};
const cloud = (u, v) =>
  Math.hypot(u + 0.28, v - 0.1) < 0.27 || Math.hypot(u - 0.05, v + 0.08) < 0.36 || Math.hypot(u - 0.36, v - 0.12) < 0.24 ||
  (u > -0.28 && u < 0.36 && v > 0.1 && v < 0.36);
const dot = (u, v) => Math.hypot(u - 0.48, v - 0.5) < 0.16;
const square = coverage(APP, roundedSquare);
const white = coverage(APP, cloud);
const green = coverage(APP, dot);
write(join(root, 'icon.png'), png(APP, (x, y) => {
  const s = square(x, y);
  if (s === 0) return [0, 0, 0, 0];
  const t = y / APP;
  let colour = [Math.round(36 + 20 * t), Math.round(87 + 30 * t), Math.round(214 - 40 * t)];
  const c = white(x, y);
  colour = colour.map((channel) => Math.round(channel * (1 - c) + 255 * c));
  const d = green(x, y);
  colour = colour.map((channel, i) => Math.round(channel * (1 - d) + [47, 179, 107][i] * d));
  return [...colour, Math.round(255 * s)];
}));
console.log(`icons written to ${root}`);
