/**
 * The .ico writer against a hand-worked 2x2 example (byte by byte), and the committed resources/icon.ico
 * against the committed PNGs that were rendered from the same SVG.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeDib, encodeIco } from '../../../scripts/ico';

const resources = fileURLToPath(new URL('../../../resources/', import.meta.url));

// Rows top to bottom: red (opaque), green (alpha 128) / transparent, blue (opaque).
const rgba2x2 = Buffer.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 0, 0, 0, 0, 255, 255]);

describe('encodeDib', () => {
  it('writes a 32-bit DIB with doubled height, bottom-up BGRA rows and an AND mask for transparent pixels', () => {
    const dib = encodeDib(2, rgba2x2);
    expect(dib.length).toBe(40 + 16 + 8);
    expect([dib.readUInt32LE(0), dib.readInt32LE(4), dib.readInt32LE(8)]).toEqual([40, 2, 4]);
    expect([dib.readUInt16LE(12), dib.readUInt16LE(14), dib.readUInt32LE(16), dib.readUInt32LE(20)]).toEqual([
      1, 32, 0, 24,
    ]);
    // Bottom row first: transparent, blue; then red, green.
    expect([...dib.subarray(40, 56)]).toEqual([0, 0, 0, 0, 255, 0, 0, 255, 0, 0, 255, 255, 0, 255, 0, 128]);
    // Mask rows are 4 bytes each, bottom row first: only the transparent pixel (x = 0) is set.
    expect([...dib.subarray(56, 64)]).toEqual([0x80, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses a buffer of the wrong length', () => {
    expect(() => encodeDib(2, Buffer.alloc(15))).toThrow(/16 RGBA bytes/);
  });
});

describe('encodeIco', () => {
  it('writes the directory (sizes ascending, 256 stored as 0) and the images at their offsets', () => {
    const png = Buffer.from('\x89PNG fake');
    const ico = encodeIco([
      { size: 256, png },
      { size: 2, rgba: rgba2x2 },
    ]);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 2]);
    const entry = (i: number) => {
      const at = 6 + 16 * i;
      return [ico[at], ico[at + 1], ico.readUInt16LE(at + 4), ico.readUInt16LE(at + 6)].concat([
        ico.readUInt32LE(at + 8),
        ico.readUInt32LE(at + 12),
      ]);
    };
    expect(entry(0)).toEqual([2, 2, 1, 32, 64, 38]);
    expect(entry(1)).toEqual([0, 0, 1, 32, png.length, 38 + 64]);
    expect(ico.subarray(38, 102)).toEqual(encodeDib(2, rgba2x2));
    expect(ico.subarray(102)).toEqual(png);
  });

  it('refuses sizes an .ico cannot hold', () => {
    expect(() => encodeIco([{ size: 512, png: Buffer.alloc(1) }])).toThrow(/1..256/);
  });
});

describe('resources/icon.ico', () => {
  it('holds 16..256 px, the 256 px as PNG, and its 16 px pixels equal icons/16x16.png', async () => {
    const ico = await readFile(resources + 'icon.ico');
    const count = ico.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, i) => ico[6 + 16 * i] || 256);
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
    const last = 6 + 16 * (count - 1);
    expect(ico.subarray(ico.readUInt32LE(last + 12), ico.readUInt32LE(last + 12) + 4)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    );

    const at = ico.readUInt32LE(6 + 12);
    const dib = ico.subarray(at + 40, at + 40 + 16 * 16 * 4);
    const png = await sharp(resources + 'icons/16x16.png')
      .ensureAlpha()
      .raw()
      .toBuffer();
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        const d = ((15 - y) * 16 + x) * 4;
        const p = (y * 16 + x) * 4;
        expect([dib[d + 2], dib[d + 1], dib[d], dib[d + 3]]).toEqual([...png.subarray(p, p + 4)]);
      }
    }
  });
});
