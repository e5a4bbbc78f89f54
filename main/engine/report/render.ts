// Headless figures: the same ECharts option the renderer draws live, rendered server-side to SVG (no DOM, no
// canvas), then rasterised by sharp (librsvg) to PNG. Fonts are whatever fontconfig finds for the theme's
// 'DejaVu Sans, Arial, sans-serif', so a bare Linux machine with DejaVu gives the same picture as a desktop.
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import sharp from 'sharp';

export interface RenderSize {
  width: number;
  height: number;
}

/** One SVG document of the option at this size (CSS pixels). Animation is always off: SSR draws the last frame. */
export function renderSvg(option: EChartsOption, size: RenderSize): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: size.width,
    height: size.height,
  });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * PNG of an SVG at `scale` device pixels per CSS pixel (2 = a 900x600 figure becomes 1800x1200), flattened on the
 * figure's background so viewers without alpha show what the screen showed.
 */
export async function svgToPng(
  svg: string,
  o: { scale?: number; background?: string } = {},
): Promise<Buffer> {
  const scale = o.scale ?? 2;
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .flatten({ background: o.background ?? '#ffffff' })
    .png()
    .toBuffer();
}

/** The option's own background colour when it is a plain string, else white. */
export function backgroundOf(option: EChartsOption): string {
  return typeof option.backgroundColor === 'string' ? option.backgroundColor : '#ffffff';
}
