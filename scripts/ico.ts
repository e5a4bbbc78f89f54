/**
 * A Windows .ico writer, so that the NSIS installer and the .exe get a multi-size icon without an extra
 * dependency. The container is a 6-byte header, one 16-byte entry per image, then the images. Images below
 * 256 px are stored as 32-bit BGRA DIBs (every Windows version and NSIS read those); 256 px as PNG, which
 * Windows Vista and later accept and which keeps the file small. Format: Microsoft's "Icons" reference
 * (ICONDIR / ICONDIRENTRY / BITMAPINFOHEADER).
 */

/** One square image: raw RGBA (size * size * 4 bytes, rows top to bottom) or an encoded PNG. */
export type IcoImage = { size: number; rgba: Buffer } | { size: number; png: Buffer };

const HEADER = 6;
const ENTRY = 16;
const DIB_HEADER = 40;

/** A DIB as .ico stores it: the height is doubled (colour rows + AND-mask rows), rows bottom-up, BGRA. */
export function encodeDib(size: number, rgba: Buffer): Buffer {
  if (rgba.length !== size * size * 4)
    throw new Error(`expected ${size * size * 4} RGBA bytes, got ${rgba.length}`);
  const maskRow = Math.ceil(size / 32) * 4;
  const xorBytes = size * size * 4;
  const andBytes = maskRow * size;
  const out = Buffer.alloc(DIB_HEADER + xorBytes + andBytes);
  out.writeUInt32LE(DIB_HEADER, 0);
  out.writeInt32LE(size, 4);
  out.writeInt32LE(size * 2, 8);
  out.writeUInt16LE(1, 12); // planes
  out.writeUInt16LE(32, 14); // bits per pixel
  out.writeUInt32LE(0, 16); // BI_RGB
  out.writeUInt32LE(xorBytes + andBytes, 20);
  for (let y = 0; y < size; y++) {
    const row = DIB_HEADER + (size - 1 - y) * size * 4;
    const maskAt = DIB_HEADER + xorBytes + (size - 1 - y) * maskRow;
    for (let x = 0; x < size; x++) {
      const src = (y * size + x) * 4;
      const dst = row + x * 4;
      out[dst] = rgba[src + 2];
      out[dst + 1] = rgba[src + 1];
      out[dst + 2] = rgba[src];
      out[dst + 3] = rgba[src + 3];
      // The AND mask is for pre-alpha readers: a set bit means "transparent".
      if (rgba[src + 3] === 0) out[maskAt + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return out;
}

export function encodeIco(images: IcoImage[]): Buffer {
  const sorted = [...images].sort((a, b) => a.size - b.size);
  const payloads = sorted.map((img) => {
    if (img.size < 1 || img.size > 256) throw new Error(`an .ico image must be 1..256 px, not ${img.size}`);
    return 'png' in img ? img.png : encodeDib(img.size, img.rgba);
  });
  const header = Buffer.alloc(HEADER + ENTRY * sorted.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon (2 would be a cursor)
  header.writeUInt16LE(sorted.length, 4);
  let offset = header.length;
  sorted.forEach((img, i) => {
    const at = HEADER + ENTRY * i;
    header.writeUInt8(img.size === 256 ? 0 : img.size, at); // 0 means 256
    header.writeUInt8(img.size === 256 ? 0 : img.size, at + 1);
    header.writeUInt8(0, at + 2); // no palette
    header.writeUInt16LE(1, at + 4); // planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(payloads[i].length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += payloads[i].length;
  });
  return Buffer.concat([header, ...payloads]);
}
