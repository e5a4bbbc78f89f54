// Feature caches are keyed by checkpoint name: best in features/ itself, the others in features/<name>/, and a cache
// written under the older unpadded epoch-N name is still found.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { featuresDirFor } from '../../../../main/engine/features/paths';
import { runDir } from '../../../../main/engine/runs/store';
import { tempDir } from '../../../helpers/tmp';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir: home, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('featuresDirFor', () => {
  it('puts best in features/ and the others under their checkpoint name', () => {
    const base = join(runDir(home, 'r1'), 'features');
    expect(featuresDirFor(home, 'r1', 'best')).toBe(base);
    expect(featuresDirFor(home, 'r1', 'last')).toBe(join(base, 'last'));
    expect(featuresDirFor(home, 'r1', 7)).toBe(join(base, 'epoch-007'));
  });

  it('finds a cache written under the unpadded epoch-N, and prefers the new name when both exist', async () => {
    const base = join(runDir(home, 'r1'), 'features');
    await mkdir(join(base, 'epoch-7'), { recursive: true });
    expect(featuresDirFor(home, 'r1', 7)).toBe(join(base, 'epoch-7'));
    await mkdir(join(base, 'epoch-007'));
    expect(featuresDirFor(home, 'r1', 7)).toBe(join(base, 'epoch-007'));
  });
});
