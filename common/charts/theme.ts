// Shared look of every figure: one palette per theme (Okabe–Ito, readable by colour-blind readers), fonts that exist
// on a bare Linux machine (DejaVu Sans) so headless export matches the screen, and small layout helpers for
// multi-panel figures. Environment-free: the renderer and main/engine/report both build options from here.
import type {
  EChartsOption,
  GridComponentOption,
  LegendComponentOption,
  TitleComponentOption,
  XAXisComponentOption,
  YAXisComponentOption,
} from 'echarts';

export type ChartTheme = 'light' | 'dark';

/** What every builder takes: the renderer follows the system theme; export uses light and no animation. */
export interface ChartOptions {
  theme?: ChartTheme;
  animation?: boolean;
}

export const FONT_FAMILY = 'DejaVu Sans, Arial, sans-serif';

export interface Palette {
  background: string;
  text: string;
  subtle: string;
  grid: string;
  series: string[];
  /** Diverging ramp for values in [-1, 1] (blue, neutral, red). */
  diverging: string[];
  /** Sequential ramp for values in [0, 1]. */
  sequential: string[];
}

const okabeIto = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442'];

export function palette(theme: ChartTheme = 'light'): Palette {
  return theme === 'dark'
    ? {
        background: '#1b1b1f',
        text: '#e4e4e7',
        subtle: '#a1a1aa',
        grid: '#3f3f46',
        series: [...okabeIto, '#f4f4f5'],
        diverging: ['#4393c3', '#27272a', '#d6604d'],
        sequential: ['#27272a', '#2b6a99', '#f0e442'],
      }
    : {
        background: '#ffffff',
        text: '#222222',
        subtle: '#666666',
        grid: '#e4e4e7',
        series: [...okabeIto, '#000000'],
        diverging: ['#2166ac', '#f7f7f7', '#b2182b'],
        sequential: ['#f7fbff', '#6baed6', '#08306b'],
      };
}

/** Top-level fields every figure shares: background, font, palette, animation, title. */
export function baseOption(o: ChartOptions, title: string, subtitle?: string): EChartsOption {
  const p = palette(o.theme);
  const t: TitleComponentOption = {
    text: title,
    left: 'center',
    top: 8,
    textStyle: { fontSize: 15, fontWeight: 'bold', color: p.text },
  };
  if (subtitle) Object.assign(t, { subtext: subtitle, subtextStyle: { fontSize: 11, color: p.subtle } });
  return {
    backgroundColor: p.background,
    animation: o.animation ?? true,
    color: p.series,
    textStyle: { fontFamily: FONT_FAMILY, color: p.text },
    title: t,
  };
}

type AxisExtra = Record<string, unknown>;

/** A legend in the theme's text colour (ECharts' default grey is unreadable on dark backgrounds). */
export function legend(o: ChartOptions, extra: Record<string, unknown> = {}): LegendComponentOption {
  const p = palette(o.theme);
  return {
    top: 52,
    itemGap: 18,
    textStyle: { color: p.text },
    inactiveColor: p.grid,
    ...extra,
  } as LegendComponentOption;
}

function axisStyle(p: Palette) {
  return {
    nameLocation: 'middle' as const,
    axisLine: { lineStyle: { color: p.subtle } },
    axisLabel: { color: p.text },
    nameTextStyle: { color: p.text },
    splitLine: { lineStyle: { color: p.grid } },
  };
}

/** Theme styling under the caller's fields; axisLabel is merged so a caller's label options keep the theme colour. */
function axis(o: ChartOptions, nameGap: number, extra: AxisExtra) {
  const style = axisStyle(palette(o.theme));
  const label = { ...style.axisLabel, ...(extra.axisLabel as object | undefined) };
  return { ...style, nameGap, ...extra, axisLabel: label };
}

export function xAxis(o: ChartOptions, extra: AxisExtra): XAXisComponentOption {
  return axis(o, 26, extra) as XAXisComponentOption;
}

export function yAxis(o: ChartOptions, extra: AxisExtra): YAXisComponentOption {
  return axis(o, 44, extra) as YAXisComponentOption;
}

/**
 * n panels in rows of `cols`, as percentage rectangles: room at the top for the title and legend, margins for
 * axis names.
 */
export function panelGrids(n: number, cols: number, top = 16, bottom = 10): GridComponentOption[] {
  const rows = Math.ceil(n / cols);
  const left = 7;
  const gapX = 7;
  const gapY = 12;
  const w = (100 - left - 3 - gapX * (cols - 1)) / cols;
  const h = (100 - top - bottom - gapY * (rows - 1)) / rows;
  const pct = (v: number) => `${Math.round(v * 100) / 100}%`;
  return Array.from({ length: n }, (_, i) => {
    const r = Math.floor(i / cols);
    const c = i % cols;
    return {
      left: pct(left + c * (w + gapX)),
      top: pct(top + r * (h + gapY)),
      width: pct(w),
      height: pct(h),
    };
  });
}

/** Keeps 6 significant digits: float noise never reaches a figure or its snapshot, small rates survive. */
export function sig(v: number, digits = 6): number {
  return Number.isFinite(v) ? Number(v.toPrecision(digits)) : v;
}

export const percent = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;
