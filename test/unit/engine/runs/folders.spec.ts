import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEachFolder, subfolders } from '../../../../main/engine/runs/folders';
import { tempDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('record folders', () => {
  it('lists folders, not files, and nothing for a folder that does not exist yet', async () => {
    await mkdir(join(dir, 'b'));
    await mkdir(join(dir, 'a'));
    await writeFile(join(dir, 'c.json'), '{}');
    expect((await subfolders(dir)).sort()).toEqual(['a', 'b']);
    expect(await subfolders(join(dir, 'missing'))).toEqual([]);
    await expect(subfolders(join(dir, 'c.json'))).rejects.toThrow(/ENOTDIR/);
  });

  it('reads every folder newest first and leaves out those that cannot be read', async () => {
    for (const id of ['20260101-x', '20260301-y', '20260201-bad']) await mkdir(join(dir, id));
    const read = async (id: string) => {
      if (id.endsWith('bad')) throw new Error('half written');
      return id.toUpperCase();
    };
    expect(await readEachFolder(dir, read)).toEqual(['20260301-Y', '20260101-X']);
    expect(await readEachFolder(join(dir, 'missing'), read)).toEqual([]);
  });
});
