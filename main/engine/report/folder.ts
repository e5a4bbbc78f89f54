// What every export (a run, a group) does in its folder: files written atomically and listed in the order written,
// figures rendered in the formats asked for.
import { join } from 'node:path';
import type { Figure } from '../../../common/charts';
import type { FigureFormat } from '../../../common/contract/report';
import { writeFileAtomic } from '../runs/atomic';
import { backgroundOf, renderSvg, svgToPng } from './render';

export function exportFolder(dir: string) {
  const files: string[] = [];
  const write = async (rel: string, data: string | Uint8Array) => {
    await writeFileAtomic(join(dir, rel), data);
    files.push(rel);
  };
  /** Figure f as figures/<id>.svg and/or figures/<id>.png. */
  const figure = async (f: Figure, o: { formats: FigureFormat[]; scale?: number }) => {
    const svg = renderSvg(f.option, f);
    if (o.formats.includes('svg')) await write(`figures/${f.id}.svg`, svg);
    if (o.formats.includes('png'))
      await write(
        `figures/${f.id}.png`,
        await svgToPng(svg, { scale: o.scale, background: backgroundOf(f.option) }),
      );
  };
  return { files, write, figure };
}
