/**
 * Packs the app with electron-builder.yml (linux, `dir` target) and reads the resulting app.asar, to catch the
 * classic packaging failures before a user does: a bundle or a runtime dependency missing from the archive, a
 * native binary left inside it (dlopen cannot read asar), sources or maps shipped, other platforms' binaries
 * shipped. Electron's binary cannot be downloaded here, so `electronDist` points at a stand-in: for linux
 * electron-builder copies that folder and renames its `electron` file to the executable name (see
 * app-builder-lib/out/electron/ElectronFramework.js), reading nothing else from it. Proxies that lead nowhere
 * make any download attempt fail loudly instead of going unnoticed.
 */
import { listPackage, statFile, extractFile } from '@electron/asar';
import { Arch, Platform, build } from 'electron-builder';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function totalSize(dir: string): Promise<number> {
  let sum = 0;
  for (const f of await filesUnder(dir)) sum += (await stat(f)).size;
  return sum;
}

/** Packages the built main bundles import at run time (static and dynamic), without Node built-ins. */
async function runtimeImports(): Promise<Set<string>> {
  const names = new Set<string>();
  const builtins = new Set(builtinModules);
  for (const file of await filesUnder(join(root, 'out/main'))) {
    if (!file.endsWith('.js')) continue;
    const code = await readFile(file, 'utf8');
    for (const m of code.matchAll(
      /(?:\bfrom\s*|\bimport\s*\(\s*)["']((?:@[\w.-]+\/)?[\w-][\w.-]*(?:\/[\w./-]*)?)["']/g,
    )) {
      const spec = m[1];
      if (spec.startsWith('node:') || builtins.has(spec.split('/')[0]) || spec === 'electron') continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return names;
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

describe.skipIf(process.platform !== 'linux')('installer payload (electron-builder --dir, linux)', () => {
  let cleanup: () => Promise<void> = async () => {};
  let resources = '';
  let asarPath = '';
  let entries: string[] = [];
  let executable = '';
  let built: string[] = [];
  const proxyVars = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy'];
  const savedEnv = proxyVars.map((v) => [v, process.env[v]] as const);

  beforeAll(async () => {
    if (!existsSync(join(root, 'out/main/index.js'))) {
      execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
    }
    const tmp = await tempDir('oodlab-package-');
    cleanup = tmp.cleanup;
    const electronDist = join(tmp.dir, 'electron-dist');
    await mkdir(join(electronDist, 'resources'), { recursive: true });
    await writeFile(
      join(electronDist, 'electron'),
      '#!/bin/sh\necho "stand-in for the Electron binary" >&2\nexit 1\n',
    );
    await chmod(join(electronDist, 'electron'), 0o755);
    await writeFile(join(electronDist, 'LICENSE'), 'stand-in\n');

    for (const v of proxyVars) {
      if (v.toLowerCase() === 'no_proxy') delete process.env[v];
      else process.env[v] = 'http://127.0.0.1:9';
    }
    // What out/ holds now, before packing (other builds may rewrite it while the tests run).
    built = (await filesUnder(join(root, 'out'))).map((f) => '/' + relative(root, f).split(sep).join('/'));
    const output = join(tmp.dir, 'release');
    const started = performance.now();
    await build({
      projectDir: root,
      targets: Platform.LINUX.createTarget('dir', Arch[arch]),
      publish: 'never',
      // Merged over electron-builder.yml, which electron-builder loads from projectDir.
      config: { electronDist, directories: { output } },
    });
    const seconds = (performance.now() - started) / 1000;

    const appOut = join(output, arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`);
    resources = join(appOut, 'resources');
    asarPath = join(resources, 'app.asar');
    executable = join(appOut, 'oodlab');
    entries = listPackage(asarPath, { isPack: false }).map((p) => p.split(sep).join('/'));
    const packed = (await stat(asarPath)).size;
    const unpacked = await totalSize(join(resources, 'app.asar.unpacked'));
    console.log(
      `packed in ${seconds.toFixed(1)} s: app.asar ${mb(packed)} (${entries.length} entries), ` +
        `app.asar.unpacked ${mb(unpacked)}, together ${mb(packed + unpacked)}`,
    );
  }, 180_000);

  afterAll(async () => {
    for (const [v, value] of savedEnv) {
      if (value === undefined) delete process.env[v];
      else process.env[v] = value;
    }
    await cleanup();
  });

  it('renames the stand-in Electron to the executable name from the config', () => {
    expect(existsSync(executable)).toBe(true);
  });

  it('holds every built file of main, preload and renderer, and no source maps', () => {
    const shipped = built.filter((f) => !f.endsWith('.map'));
    expect(shipped).toEqual(
      expect.arrayContaining(['/out/main/index.js', '/out/main/worker.js', '/out/preload/index.cjs']),
    );
    expect(shipped).toContain('/out/renderer/index.html');
    expect(entries).toEqual(expect.arrayContaining(shipped));
    expect(entries.filter((e) => e.endsWith('.map'))).toEqual([]);
  });

  it('points package.json main at the Electron bundle', () => {
    const pkg = JSON.parse(extractFile(asarPath, 'package.json').toString('utf8')) as { main: string };
    expect(pkg.main).toBe('out/main/index.js');
    expect(entries).toContain('/' + pkg.main);
  });

  it('ships every package the main bundles import', async () => {
    const imports = await runtimeImports();
    expect(imports.size).toBeGreaterThan(0);
    const missing = [...imports].filter((name) => !entries.includes(`/node_modules/${name}/package.json`));
    expect(missing).toEqual([]);
  });

  it('leaves out tests, TypeScript sources, renderer sources, benchmarks, docs and dev dependencies', () => {
    const devOnly = entries.filter(
      (e) =>
        /^\/(test|main|common|preload|renderer|bench|docs|scripts|resources|bin|\.ci)(\/|$)/.test(e) ||
        /\.(ts|mts|cts|map)$/.test(e) ||
        /\/(test|tests|__tests__)\//.test(e),
    );
    expect(devOnly).toEqual([]);
    for (const dev of [
      'electron',
      'electron-builder',
      'vitest',
      'typescript',
      'svelte',
      'vite',
      '@electron/asar',
    ]) {
      expect(entries).not.toContain(`/node_modules/${dev}/package.json`);
    }
  });

  it('unpacks the native binaries (sharp + libvips, dawn.node) and marks them unpacked in the header', async () => {
    const unpackedDir = join(resources, 'app.asar.unpacked');
    const natives = (await filesUnder(unpackedDir)).map((f) => relative(unpackedDir, f).split(sep).join('/'));
    const sharpNode = natives.find((f) => /^node_modules\/@img\/sharp-linux-[^/]+\/lib\/.*\.node$/.test(f));
    const libvips = natives.find((f) =>
      /^node_modules\/@img\/sharp-libvips-linux-[^/]+\/lib\/libvips-cpp\.so/.test(f),
    );
    const dawn = `node_modules/webgpu/dist/linux-${arch}/dawn.node`;
    expect(sharpNode).toBeDefined();
    expect(libvips).toBeDefined();
    expect(natives).toContain(dawn);
    for (const f of [sharpNode!, libvips!, dawn]) {
      expect(statFile(asarPath, f)).toMatchObject({ unpacked: true });
      expect((await stat(join(unpackedDir, f))).size).toBe((await stat(join(root, f))).size);
    }
  });

  it("ships only this platform's dawn.node", () => {
    const builds = new Set(
      entries
        .map((e) => /^\/node_modules\/webgpu\/dist\/([^/]+)\//.exec(e)?.[1])
        .filter((d): d is string => d !== undefined),
    );
    expect([...builds]).toEqual([`linux-${arch}`]);
  });

  it('keeps the worker entry and the wasm binaries inside the archive (Electron reads them from asar)', () => {
    expect(statFile(asarPath, 'out/main/worker.js')).not.toHaveProperty('unpacked', true);
    const wasm = entries.filter(
      (e) => e.startsWith('/node_modules/@tensorflow/tfjs-backend-wasm/dist/') && e.endsWith('.wasm'),
    );
    expect(wasm.length).toBe(3);
    // The two-thread wasm backend loads the threaded glue and its pthread worker script from wasm-out/.
    const wasmOut = entries.filter((e) =>
      e.startsWith('/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/'),
    );
    expect(wasmOut.sort()).toEqual([
      '/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
      '/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
    ]);
  });
});
