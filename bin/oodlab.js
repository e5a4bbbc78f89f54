#!/usr/bin/env node
// The `oodlab` command: runs the built CLI bundle (npm run build makes it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write("oodlab: the app is not built yet. Run 'npm run build' in the OODLab folder first.\n");
  process.exit(1);
}
await import(cli.href);
