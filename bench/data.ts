/**
 * Data pipeline figures on synthetic CIFAR-format data of the real size (50,000 train + 10,000 test records):
 * tar.gz streaming + record decode, cache build, cache load (with checksum), and makeBatch throughput.
 * Run: npx tsx bench/data.ts [records]
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as tarCreate } from 'tar';
import { makeBatch } from '../main/engine/data/augment';
import { writeCache, readManifest, readCacheSplit } from '../main/engine/data/cache';
import { readCifarArchive } from '../main/engine/data/cifar';
import { CIFAR100_FINE } from '../main/engine/data/class-names';
import { loadImageSet } from '../main/engine/data/load';
import { mulberry32, shuffle } from '../main/engine/data/rng';

const nTrain = Number(process.argv[2] ?? 50_000);
const nTest = Math.round(nTrain / 5);
const ms = (t: number) => performance.now() - t;

function records(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n * 3074);
  const rng = mulberry32(seed);
  for (let k = 0; k < n; k++) {
    b[k * 3074] = k % 20;
    b[k * 3074 + 1] = k % 100;
    // smooth-ish content so gzip behaves roughly as on photos (not all zeros, not pure noise)
    for (let p = 2; p < 3074; p++) b[k * 3074 + p] = (p * 3 + k + Math.floor(rng() * 24)) & 255;
  }
  return b;
}

const dir = await mkdtemp(join(tmpdir(), 'oodlab-bench-data-'));
try {
  const root = join(dir, 'src', 'cifar-100-binary');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'train.bin'), records(nTrain, 1));
  await writeFile(join(root, 'test.bin'), records(nTest, 2));
  const archive = join(dir, 'cifar-100-binary.tar.gz');
  await tarCreate({ gzip: true, file: archive, cwd: join(dir, 'src') }, ['cifar-100-binary']);
  const mb = (await stat(archive)).size / 2 ** 20;

  let t = performance.now();
  const c = await readCifarArchive(archive);
  const decode = ms(t);
  t = performance.now();
  const home = join(dir, 'home');
  await writeCache(
    home,
    'cifar100',
    { source: { file: 'x', md5: 'x' }, classNames: CIFAR100_FINE },
    { train: c.train, test: c.test },
  );
  const build = ms(t);
  t = performance.now();
  const m = (await readManifest(home, 'cifar100'))!;
  const s = await readCacheSplit(home, m, 'train');
  const load = ms(t);
  t = performance.now();
  await readCacheSplit(home, m, 'train');
  const reload = ms(t);
  t = performance.now();
  const set = { images: s.images, labels: s.labels, n: s.n, classNames: m.classNames };
  const order = shuffle(set.n, mulberry32(0));
  const B = 128;
  const batches = Math.min(100, Math.floor(set.n / B));
  for (let b = 0; b < batches; b++)
    makeBatch(set, order.subarray(b * B, (b + 1) * B), { augment: true, rng: mulberry32(b) });
  const batch = ms(t);
  t = performance.now();
  const syn = await loadImageSet(home, 'synthetic', 'train', {
    seed: 0,
    classes: 100,
    trainPerClass: 50,
    testPerClass: 10,
  });
  const synth = ms(t);

  const n = nTrain + nTest;
  console.log(
    `CIFAR-format data: ${nTrain} train + ${nTest} test records, archive ${mb.toFixed(1)} MiB (tar.gz)`,
  );
  console.log(
    `  stream + gunzip + decode : ${decode.toFixed(0)} ms  (${((n / decode) * 1000).toFixed(0)} images/s)`,
  );
  console.log(`  cache build (write+sha256): ${build.toFixed(0)} ms`);
  console.log(
    `  cache load train, 1st (sha256): ${load.toFixed(0)} ms  (${(s.images.length / 2 ** 20).toFixed(0)} MiB)`,
  );
  console.log(`  cache load train, stamped    : ${reload.toFixed(0)} ms`);
  console.log(`  makeBatch augment, B=${B}  : ${(((batches * B) / batch) * 1000).toFixed(0)} images/s`);
  console.log(`  synthetic 5,000 x 100 cls: ${synth.toFixed(0)} ms (${syn.n} images)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
