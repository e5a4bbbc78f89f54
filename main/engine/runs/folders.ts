// Folders that hold one record each (runs/<id>/, groups/<id>/): listing them, and reading them all.
import { readdir } from 'node:fs/promises';

/** Names of the folders in dir (not its files); none when dir does not exist yet. */
export async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * read(name) for every folder in dir, newest first (ids begin with their date); a folder read rejects (one being
 * written or removed, or not a record at all) is left out.
 */
export async function readEachFolder<T>(dir: string, read: (name: string) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const name of (await subfolders(dir)).sort().reverse()) {
    try {
      out.push(await read(name));
    } catch {
      // not a record (yet, or any more): skip it
    }
  }
  return out;
}
