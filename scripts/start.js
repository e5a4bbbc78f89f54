// `npm start`: build, then launch the Electron app. Where Electron cannot start (its binary is not
// downloaded and cannot be, or there is no display) say so and start browser mode instead: the URL is printed and
// opened in the system browser where there is one, so the README's start command runs the app everywhere.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { browserCommand, noDesktopReason, servedUrl } from './start-mode.js';

const nodeRequire = createRequire(import.meta.url);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Browser mode in this terminal (Ctrl-C stops it); its URL opened in the system browser where one exists. */
function browserMode(why) {
  process.stdout.write(`\nThe desktop window cannot open here: ${why}.\nStarting browser mode instead.\n\n`);
  const serve = spawn(process.execPath, ['bin/oodlab.js', 'serve', ...process.argv.slice(2)], {
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  let opened = false;
  let seen = '';
  serve.stdout.on('data', (d) => {
    process.stdout.write(d);
    if (opened) return;
    seen += d.toString();
    const url = servedUrl(seen);
    if (!url) return;
    opened = true;
    const open = browserCommand(url);
    if (!open) {
      process.stdout.write(
        'No browser can be opened from here: open the URL above in yours (an SSH tunnel for a remote machine).\n',
      );
      return;
    }
    const b = spawn(open.cmd, open.args, { stdio: 'ignore', detached: true });
    b.on('error', () => process.stdout.write('Could not open a browser: open the URL above in yours.\n'));
    b.unref();
  });
  // Ctrl-C reaches the server from the terminal itself (one process group): only wait for it to stop.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => serve.kill('SIGTERM'));
  serve.on('exit', (code) => process.exit(code ?? 0));
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

const EARLY_EXIT_MS = 10_000;
const noDesktop = noDesktopReason();
const bin = noDesktop ? null : electronPath();
if (noDesktop) browserMode(noDesktop);
else if (!bin) browserMode('the Electron runtime is not installed and could not be downloaded');
else {
  const started = Date.now();
  const child = spawn(bin, ['.'], { stdio: 'inherit' });
  child.on('error', (e) => browserMode(e.message));
  child.on('exit', (code) => {
    // Electron that dies at once (missing system libraries, a GPU process that cannot start) did not show a window.
    if (code && Date.now() - started < EARLY_EXIT_MS)
      browserMode(`the desktop app stopped at once (exit code ${code})`);
    else process.exit(code ?? 0);
  });
}
