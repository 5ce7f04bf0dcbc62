/**
 * Plain-data figure specs and their rendering to PNG, SVG or PDF.
 *
 * Experiments produce numbers; this module turns them into a grid of line-chart panels that is
 * readable at paper size. The spec is plain data (JSON-serialisable) so that runs can store it
 * next to their metrics and re-render later, e.g. in another format.
 *
 * Rendering draws every panel with Chart.js into *one* canvas surface, each panel in its
 * own translated sub-region (see subCanvas.ts). This keeps SVG and PDF output vector (no
 * rasterised panels pasted into a page) and uses one code path for all three formats.
 */
import { Chart } from './chartSetup.ts';
import { buildChartConfig, CHART_PADDING } from './chartConfig.ts';
import { LEGEND_ROW_HEIGHT, legendRowCount } from './legendLayout.ts';
import { type FigureFormat, formatFromPath, type FigureMetadata } from './output.ts';
import { createSurface } from './surface.ts';
import { preparePanel } from './panelData.ts';
import { subRegionContext } from './subCanvas.ts';
import { figureCsv } from './figureData.ts';
import { writeFigureFiles } from './figureFiles.ts';
import { FONT_FAMILY } from './theme.ts';

export type { FigureFormat } from './output.ts';

/** One curve of a panel. `x` and `y` have equal length; non-finite y values become gaps. */
export interface Series {
  label: string;
  x: number[];
  y: number[];
  /** Half-width of an uncertainty band (e.g. std over seeds), drawn as a translucent fill y ± err. */
  yErr?: number[];
  /**
   * Default: 'line+points' for short series (≤ 25 points, where markers help in greyscale and
   * show where the measurements are), 'line' otherwise.
   */
  style?: 'line' | 'points' | 'line+points';
  /** See `seriesStyle` in palette.ts: undefined → per-index pattern, true → dashed, false → solid. */
  dashed?: boolean;
}

/** A y-axis scale; 'auto' → log when all values are positive and span more than two decades. */
export type YScale = 'linear' | 'log' | 'symlog' | 'auto';

export interface Panel {
  title: string;
  xLabel: string;
  /** With units, e.g. 'loss (nats)', 'step', 'time (s)'. */
  yLabel: string;
  xScale?: 'linear' | 'log';
  /** Default 'linear'. */
  yScale?: YScale;
  series: Series[];
  /** Horizontal reference lines, e.g. the 2/η edge-of-stability threshold for sharpness. */
  hLines?: { y: number; label: string }[];
  yMin?: number;
  yMax?: number;
}

export interface Figure {
  title?: string;
  panels: Panel[];
  /** Default: min(panels, 2) — two columns fit a paper page at readable font size. */
  columns?: number;
  /** CSS px at 1× (PNG is rendered at 2×); in SVG/PDF one unit = 1 px / 1 pt. Default 480. */
  panelWidth?: number;
  /**
   * Default 360. Panels grow by one legend row height for every legend row beyond the first
   * (of the panel with the longest legend), so that the plot area keeps its size.
   */
  panelHeight?: number;
}

/** Pixel ratio of PNG output: 2× so that a figure stays sharp when scaled to a paper column. */
export const PNG_PIXEL_RATIO = 2;
export const DEFAULT_PANEL_WIDTH = 480;
export const DEFAULT_PANEL_HEIGHT = 360;
/** Height of the band above the panels that holds the figure title (only when there is one). */
export const FIGURE_TITLE_HEIGHT = 36;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FigureLayout {
  /** Total size in CSS px at 1×. */
  width: number;
  height: number;
  columns: number;
  rows: number;
  titleHeight: number;
  /** One rect per panel, row-major, in CSS px at 1×. */
  panels: Rect[];
}

/** Where each panel goes; exported so that tests and callers can find panels in the image. */
export function figureLayout(fig: Figure): FigureLayout {
  const n = fig.panels.length;
  if (n === 0) throw new Error('renderFigure: a figure needs at least one panel');
  const columns = Math.max(1, Math.min(n, Math.round(fig.columns ?? Math.min(n, 2))));
  const rows = Math.ceil(n / columns);
  const pw = positiveSize(fig.panelWidth, DEFAULT_PANEL_WIDTH, 'panelWidth');
  const basePanelHeight = positiveSize(fig.panelHeight, DEFAULT_PANEL_HEIGHT, 'panelHeight');
  const titleHeight = fig.title ? FIGURE_TITLE_HEIGHT : 0;
  // A legend of more than one row would squeeze the plot area; grow every panel (the grid stays
  // uniform) by the extra rows of the tallest legend instead.
  const legendWidth = pw - CHART_PADDING.left - CHART_PADDING.right;
  const extraRows = Math.max(
    0,
    ...fig.panels.map((p) => (p.series.length > 1 ? legendRowCount(p.series.map((s) => s.label), legendWidth) - 1 : 0)),
  );
  const ph = basePanelHeight + extraRows * LEGEND_ROW_HEIGHT;
  const panels = fig.panels.map((_, i) => ({
    x: (i % columns) * pw,
    y: titleHeight + Math.floor(i / columns) * ph,
    width: pw,
    height: ph,
  }));
  return { width: columns * pw, height: titleHeight + rows * ph, columns, rows, titleHeight, panels };
}

function positiveSize(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 50) throw new Error(`renderFigure: ${name} must be ≥ 50 (got ${v})`);
  return Math.round(v);
}

/**
 * Render a figure. PNG is rendered at {@link PNG_PIXEL_RATIO}× with a white background; SVG and
 * PDF are vector with one unit per CSS px. Synchronous: Skia and Chart.js (with
 * animation off) both draw synchronously.
 */
export function renderFigure(fig: Figure, format: FigureFormat = 'png'): Buffer {
  const layout = figureLayout(fig);
  const ratio = format === 'png' ? PNG_PIXEL_RATIO : 1;
  const surface = createSurface(layout.width, layout.height, format, PNG_PIXEL_RATIO, figureMetadata(fig));
  const ctx = surface.ctx;

  // White, not transparent: transparent PNGs turn black in some viewers and slide decks.
  ctx.save();
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, layout.width, layout.height);
  if (fig.title) {
    ctx.fillStyle = '#000000';
    ctx.font = `bold 16px ${FONT_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(fig.title, layout.width / 2, layout.titleHeight / 2 + 2);
  }
  ctx.restore();

  fig.panels.forEach((panel, i) => {
    const rect = layout.panels[i]!;
    const prepared = preparePanel(panel);
    const config = buildChartConfig(panel, prepared, ratio);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.beginPath();
    ctx.rect(rect.x * ratio, rect.y * ratio, rect.width * ratio, rect.height * ratio);
    ctx.clip();
    const sub = subRegionContext(ctx, rect.x * ratio, rect.y * ratio, rect.width, rect.height);
    // Chart.js draws synchronously in its constructor when animation is off.
    const chart = new Chart(sub, config);
    chart.destroy();
    ctx.restore();
  });

  return surface.finish();
}

/** Text for the SVG <title>/<desc> and PDF info dictionary: titles and axis labels. */
function figureMetadata(fig: Figure): FigureMetadata {
  const lines = fig.panels.map(
    (p, i) => `Panel ${i + 1}: ${p.title}. x: ${p.xLabel}. y: ${p.yLabel}. Series: ${p.series.map((s) => s.label).join(', ')}.`,
  );
  return { title: fig.title ?? fig.panels.map((p) => p.title).join(' | '), description: lines.join('\n') };
}

export interface SaveFigureOptions {
  /** What the figure shows and from which runs; goes into the folder's README.md index. */
  caption: string;
}

/**
 * Render and write a figure; the format comes from the extension (.png, .svg, .pdf). Also writes
 * the plotted points as `<base>.csv` and the caption into the folder's README.md index. Writes
 * are atomic (temporary file + rename) so a reader never sees a half-written figure.
 */
export function saveFigure(fig: Figure, path: string, options: SaveFigureOptions): void {
  writeFigureFiles(path, renderFigure(fig, formatFromPath(path)), figureCsv(fig), options.caption);
}
