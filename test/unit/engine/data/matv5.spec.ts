import { describe, expect, it } from 'vitest';
import { readMat } from '../../../../main/engine/data/matv5';
import { svhnFromMat } from '../../../../main/engine/data/svhn';
import { makeSvhnMat, matHeader, svhnPixel } from '../../../helpers/data/fixtures';

describe('MATLAB v5 reader and SVHN', () => {
  const labels = [1, 10, 3, 10, 7];

  for (const compress of [true, false])
    it(`reads X and y (${compress ? 'miCOMPRESSED' : 'plain'} elements, small name elements, uint8-stored doubles)`, () => {
      const vars = readMat(makeSvhnMat(labels, { compress }));
      expect(vars.get('X')!.dims).toEqual([32, 32, 3, 5]);
      expect(vars.get('X')!.cls).toBe('uint8');
      expect(vars.get('y')!.cls).toBe('double');
      expect(Array.from(vars.get('y')!.data)).toEqual(labels);
    });

  it('turns column-major X into NHWC pixels and label 10 into 0', () => {
    const s = svhnFromMat(makeSvhnMat(labels));
    expect(Array.from(s.labels)).toEqual([1, 0, 3, 0, 7]);
    for (const [k, i, j, c] of [
      [0, 0, 0, 0],
      [4, 31, 0, 2],
      [2, 5, 17, 1],
      [1, 0, 31, 0],
    ])
      expect(s.images[k * 3072 + (i * 32 + j) * 3 + c]).toBe(svhnPixel(k, i, j, c));
  });

  it('refuses a MATLAB 7.3 (HDF5) file with a message that says so', () => {
    const f = Buffer.concat([
      matHeader('MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00'),
      Buffer.alloc(1024),
    ]);
    expect(() => readMat(f)).toThrow(/v7\.3.*HDF5/);
  });

  it('gives clear errors for truncated files, random bytes and corrupt zlib data, never a hang', () => {
    const good = makeSvhnMat(labels);
    for (const cut of [10, 130, 200, good.length - 7])
      expect(() => svhnFromMat(good.subarray(0, cut))).toThrow(/MATLAB v5|no X and y/);
    let x = 12345;
    const rnd = Buffer.from(
      Array.from({ length: 4096 }, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x & 255)),
    );
    expect(() => readMat(rnd)).toThrow(/MATLAB v5/);
    const bad = Buffer.from(good);
    bad.fill(0xab, 150, 400); // inside the first compressed element
    expect(() => readMat(bad)).toThrow(/does not inflate|MATLAB v5/);
    const hdr = Buffer.concat([matHeader(), Buffer.from([14, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f])]);
    expect(() => readMat(hdr)).toThrow(/claims .* bytes/);
  });

  it('refuses labels outside 1..10', () => {
    expect(() => svhnFromMat(makeSvhnMat([1, 11]))).toThrow(/outside 1\.\.10/);
  });
});
