import { deflateSync } from 'node:zlib';
import type { Health } from './tray-model.js';

/*
 * Icons drawn in code (no binary files in the repository): the tray's health dot and the app icon,
 * as PNG. `scripts/package.mjs` writes the app icon for electron-builder from the same function.
 */

type Rgb = readonly [number, number, number];

const HEALTH_COLOURS: Record<Health, Rgb> = {
  ok: [46, 160, 67],
  attention: [219, 154, 4],
  offline: [207, 34, 46],
};
const INK: Rgb = [31, 35, 40];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGBA PNG from a per-pixel function (alpha 0–255). */
export function encodePng(size: number, pixel: (x: number, y: number) => readonly [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Anti-aliased coverage of a disc of radius r around the centre, at pixel (x, y). */
function disc(size: number, r: number, x: number, y: number): number {
  const c = size / 2;
  const d = Math.hypot(x + 0.5 - c, y + 0.5 - c);
  return Math.max(0, Math.min(1, r - d + 0.5));
}

/** The tray icon: a dark ring around a dot in the fleet's health colour. */
export function trayIcon(health: Health, size = 32): Buffer {
  const colour = HEALTH_COLOURS[health];
  return encodePng(size, (x, y) => {
    const outer = disc(size, size * 0.47, x, y);
    const inner = disc(size, size * 0.33, x, y);
    const [r, g, b] = inner > 0 ? colour : INK;
    return [r, g, b, Math.round(255 * Math.max(inner, outer))];
  });
}

/** The application icon (window, installers): the same mark on a rounded square. */
export function appIcon(size = 512): Buffer {
  const radius = size * 0.18;
  return encodePng(size, (x, y) => {
    const dx = Math.max(radius - x - 0.5, 0, x + 0.5 - (size - radius));
    const dy = Math.max(radius - y - 0.5, 0, y + 0.5 - (size - radius));
    const square = Math.max(0, Math.min(1, radius - Math.hypot(dx, dy) + 0.5));
    const ring = disc(size, size * 0.34, x, y) - disc(size, size * 0.26, x, y);
    const dot = disc(size, size * 0.16, x, y);
    const [r, g, b] = dot > 0 ? HEALTH_COLOURS.ok : ring > 0 ? ([240, 246, 252] as const) : INK;
    return [r, g, b, Math.round(255 * square)];
  });
}
