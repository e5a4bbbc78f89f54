/**
 * Figures for the data sets added in issue 15: adding an image folder (decode + resize with sharp, four at a time,
 * into the cache), against a plain one-at-a-time sharp loop over the same files measured in the same run; the
 * Tiny ImageNet zip path (yauzl + sharp) on the same JPEGs; and MNIST's 70,000-digit 28 -> 32 px conversion.
 * Run: npx tsx bench/custom-data.ts [images] [side]
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { toThumb32 } from '../main/engine/data/dtd';
import { addTask } from '../main/engine/data/custom/add-task';
import { grey28To32Rgb } from '../main/engine/data/idx';
import { readZip } from '../main/engine/data/zip-read';
import { makeZip } from '../test/helpers/data/benchmark';

const n = Number(process.argv[2] ?? 2000);
const side = Number(process.argv[3] ?? 64);
const dir = await mkdtemp(join(tmpdir(), 'oodlab-bench-custom-'));
const s = (t: number) => (performance.now() - t) / 1000;
try {
  const root = join(dir, 'imgs');
  const members: [string, Buffer][] = [];
  for (const c of ['a', 'b']) await mkdir(join(root, c), { recursive: true });
  for (let k = 0; k < n; k++) {
    const px = Buffer.alloc(side * side * 3).map((_, i) => (i * 31 + k * 17 + ((i / 97) | 0)) & 255);
    const jpg = await sharp(px, { raw: { width: side, height: side, channels: 3 } })
      .jpeg()
      .toBuffer();
    await writeFile(join(root, k % 2 ? 'a' : 'b', `${k}.jpg`), jpg);
    members.push([`val/images/${k}.JPEG`, jpg]);
  }

  let t = performance.now();
  for (const c of ['a', 'b'])
    for (const f of await readdir(join(root, c))) await toThumb32(await readFile(join(root, c, f)), f);
  const plain = s(t);

  const ctx = {
    jobId: 'bench',
    home: join(dir, 'home'),
    signal: new AbortController().signal,
    progress: () => {},
    log: () => {},
    emit: () => {},
  };
  t = performance.now();
  await addTask({ path: root, name: 'bench', role: 'id' }, ctx);
  const add = s(t);

  const zip = join(dir, 'x.zip');
  await writeFile(zip, makeZip(members));
  t = performance.now();
  await readZip(zip, { want: () => true, onFile: (p, d) => toThumb32(d, p) });
  const viaZip = s(t);

  const digits = new Uint8Array(70_000 * 784).map((_, i) => i & 255);
  const out = new Uint8Array(70_000 * 3072);
  t = performance.now();
  for (let k = 0; k < 70_000; k++)
    grey28To32Rgb(digits.subarray(k * 784, (k + 1) * 784), 28, 28, out, k * 3072);
  const mnist = s(t);

  console.log(`${n} JPEGs of ${side}x${side}:`);
  console.log(`  plain sharp loop (reference)   ${(n / plain).toFixed(0)} images/s`);
  console.log(
    `  datasets add (folder -> cache) ${(n / add).toFixed(0)} images/s  (${(plain / add).toFixed(2)}x the reference)`,
  );
  console.log(
    `  zip member -> 32x32 (yauzl)    ${(n / viaZip).toFixed(0)} images/s  (${(plain / viaZip).toFixed(2)}x the reference)`,
  );
  console.log(`MNIST 70,000 digits 28 -> 32 px RGB: ${mnist.toFixed(2)} s`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
