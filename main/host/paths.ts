import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The built renderer (out/renderer). Looked up relative to this module so it works from the bundle
 * (out/main/*.js or out/main/chunks/*.js) and from sources (main/host/*.ts).
 */
export function rendererDir(): string {
  if (process.env.OODLAB_RENDERER_DIR) return process.env.OODLAB_RENDERER_DIR;
  for (const rel of ['../renderer/', '../../renderer/', '../../out/renderer/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir + 'index.html')) return dir;
  }
  throw new Error("The renderer is not built: run 'npm run build' first.");
}
