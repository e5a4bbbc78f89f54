// `npm start`: build, then launch the Electron app. Where Electron cannot start (its binary is not
// downloaded and cannot be, or there is no display) say so plainly and point to browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const nodeRequire = createRequire(import.meta.url);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(why) {
  process.stderr.write(
    `\nOODLab cannot open its desktop window here: ${why}\n` +
      'Run it in a browser instead:  npm run serve   (then open the printed URL)\n' +
      'or use the command line:      node bin/oodlab.js --help\n',
  );
  process.exit(1);
}

const build = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function electronPath() {
  try {
    return nodeRequire('electron');
  } catch {
    // The binary is fetched on first launch (installs skip the download): try once.
    process.stdout.write('Downloading the Electron runtime (first launch only)…\n');
    const dl = spawnSync(process.execPath, [nodeRequire.resolve('electron/install.js')], {
      stdio: 'inherit',
    });
    if (dl.status !== 0) return null;
    try {
      delete nodeRequire.cache[nodeRequire.resolve('electron')];
      return nodeRequire('electron');
    } catch {
      return null;
    }
  }
}

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
  fail('there is no display (DISPLAY and WAYLAND_DISPLAY are unset).');
const bin = electronPath();
if (!bin) fail('the Electron runtime is not installed and could not be downloaded.');

const child = spawn(bin, ['.'], { stdio: 'inherit' });
child.on('error', (e) => fail(e.message));
child.on('exit', (code) => process.exit(code ?? 0));
