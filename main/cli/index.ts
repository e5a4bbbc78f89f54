import { setWorkerEntry } from '../jobs/worker-entry';
import { exitAfterFlush } from './exit';
import { main } from './main';

// Built as out/main/cli.js beside worker.js; from sources the job manager falls back to tsx.
if (!import.meta.url.endsWith('.ts')) setWorkerEntry(new URL('./worker.js', import.meta.url));

const code = await main(process.argv.slice(2));
// A long-running command (serve) returns -1 and keeps the process alive itself.
if (code !== -1) await exitAfterFlush(code);
