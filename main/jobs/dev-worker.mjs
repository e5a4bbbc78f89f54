// Development only: lets a worker thread run the TypeScript worker entry through tsx
// (tests and `tsx` runs). Built apps run out/main/worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../worker/index.ts', import.meta.url).href);
