import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDtdArchive, toThumb32 } from '../../../../main/engine/data/dtd';
import { makeDtdTar } from '../../../helpers/data/fixtures';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'oodlab-dtd-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('DTD', () => {
  it('resizes the shorter side to 32 and keeps the centre', async () => {
    // 96x32: red | green | blue thirds; the centre crop must be all green
    const raw = Buffer.alloc(96 * 32 * 3);
    for (let i = 0; i < 32; i++)
      for (let j = 0; j < 96; j++) raw[(i * 96 + j) * 3 + Math.floor(j / 32)] = 255;
    const png = await sharp(raw, { raw: { width: 96, height: 32, channels: 3 } })
      .png()
      .toBuffer();
    const px = await toThumb32(png, 'test');
    for (let p = 0; p < 1024; p++) expect([px[3 * p], px[3 * p + 1], px[3 * p + 2]]).toEqual([0, 255, 0]);
    // grey-scale input still yields RGB
    const grey = await sharp(Buffer.alloc(50 * 64, 128), { raw: { width: 50, height: 64, channels: 1 } })
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const g = await toThumb32(grey, 'grey');
    expect(g.length).toBe(3072);
    expect(Math.abs(g[0] - 128)).toBeLessThanOrEqual(2);
  });

  it('reads a DTD-layout plain tar: labels from sorted folders, images in path order', async () => {
    const t = await makeDtdTar(dir, ['zigzagged', 'banded', 'dotted'], 3);
    const d = await readDtdArchive(t.path);
    expect(d.classNames).toEqual(['banded', 'dotted', 'zigzagged']);
    expect(Array.from(d.labels)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    // banded was made with ci=1: r=40, g=160; 3rd image b=60
    const k = 2;
    expect(Math.abs(d.images[k * 3072] - 40)).toBeLessThanOrEqual(4);
    expect(Math.abs(d.images[k * 3072 + 1] - 160)).toBeLessThanOrEqual(4);
    expect(Math.abs(d.images[k * 3072 + 2] - 60)).toBeLessThanOrEqual(4);
  });

  it('reports an undecodable image clearly', async () => {
    await expect(toThumb32(Buffer.from('not a jpeg at all'), 'x.jpg')).rejects.toThrow(
      /Cannot decode x\.jpg/,
    );
  });
});
