// The zip container of PyTorch's torch.save format (since 1.6): entries listed by the central directory, stored
// (PyTorch writes them uncompressed, 64-byte aligned) or deflated. Zip64 records are read for large checkpoints.
// Every offset is checked against the file's length, so a truncated or forged file fails with a sentence.
import { inflateRawSync } from 'node:zlib';

export class ZipFormatError extends Error {}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) =>
  (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;

export function zipEntries(buf: Uint8Array): Map<string, ZipEntry> {
  const fail = (what: string): never => {
    throw new ZipFormatError(`not a readable zip archive (${what}); the file may be truncated`);
  };
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--)
    if (u32(buf, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) fail('no end-of-central-directory record');
  let count = u16(buf, eocd + 10);
  let cdOffset = u32(buf, eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(buf, loc) !== 0x07064b50) fail('a zip64 archive without its locator');
    const rec = u64(buf, loc + 8);
    if (rec + 56 > buf.length || u32(buf, rec) !== 0x06064b50) fail('a damaged zip64 record');
    count = u64(buf, rec + 32);
    cdOffset = u64(buf, rec + 48);
  }
  const out = new Map<string, ZipEntry>();
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || u32(buf, p) !== 0x02014b50) fail('a damaged central directory');
    const method = u16(buf, p + 10);
    let compressedSize = u32(buf, p + 20);
    let size = u32(buf, p + 24);
    const nameLen = u16(buf, p + 28);
    const extraLen = u16(buf, p + 30);
    const commentLen = u16(buf, p + 32);
    let localOffset = u32(buf, p + 42);
    if (p + 46 + nameLen + extraLen > buf.length) fail('a damaged central directory');
    const name = new TextDecoder().decode(buf.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field: the 0xffffffff fields follow in order size, compressed size, local offset
    let e = p + 46 + nameLen;
    const end = e + extraLen;
    while (e + 4 <= end) {
      const id = u16(buf, e);
      const len = u16(buf, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = u64(buf, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(buf, q);
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(buf, q);
      }
      e += 4 + len;
    }
    out.set(name, { name, method, compressedSize, size, localOffset });
    p = end + commentLen;
  }
  return out;
}

export function zipRead(buf: Uint8Array, e: ZipEntry): Uint8Array {
  const fail = (what: string): never => {
    throw new ZipFormatError(`zip entry ${e.name}: ${what}; the file may be truncated`);
  };
  const h = e.localOffset;
  if (h + 30 > buf.length || u32(buf, h) !== 0x04034b50) fail('no local header where the directory says');
  const start = h + 30 + u16(buf, h + 26) + u16(buf, h + 28);
  if (start + e.compressedSize > buf.length) fail('its data run past the end of the file');
  const raw = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return raw;
  if (e.method === 8) {
    // a deflated entry may not claim more than 1 GiB or 1000 times its compressed size (zip bombs)
    if (e.size > 2 ** 30 || e.size > 1000 * Math.max(e.compressedSize, 1))
      fail('it claims an implausible size');
    try {
      const out = inflateRawSync(raw, { maxOutputLength: e.size + 1 });
      if (out.length !== e.size) fail('inflates to the wrong size');
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    } catch (err) {
      if (err instanceof ZipFormatError) throw err;
      fail(`cannot be inflated (${(err as Error).message})`);
    }
  }
  return fail(`compression method ${e.method} is not supported`);
}
