/**
 * Chart.js configuration for one panel: typography, axes, datasets (with error bands), legend,
 * the dropped-values note and horizontal reference lines. Animation and interaction are off —
 * these charts are drawn once, into a file.
 */
import type { Chart as ChartType, ChartConfiguration, ChartDataset, LegendItem, Plugin, ScriptableScaleContext, Tick } from 'chart.js';
import { Chart } from './chartSetup.ts';
import type { Panel } from './figure.ts';
import { formatTick } from './format.ts';
import { LEGEND_PADDING } from './legendLayout.ts';
import { LEGEND_SYMBOL_WIDTH, legendSymbolsPlugin } from './legendSymbols.ts';
import { withAlpha } from './palette.ts';
import type { PreparedPanel, XY } from './panelData.ts';
import { AXIS_LINE, FONT_FAMILY, FONT_SIZES, GRID, INK, NOTE_INK, REFERENCE_LINE } from './theme.ts';

/** Space around each chart inside its panel (CSS px); the legend gets the width in between. */
export const CHART_PADDING = { top: 2, right: 14, bottom: 4, left: 6 } as const;

/** Opacity of error bands: visible in print, but lines drawn over them stay legible. */
export const BAND_ALPHA = 0.22;
const LINE_WIDTH = 2;
const POINT_RADIUS = 3.5;
/** Marker on band datasets so the legend can leave them out. */
const BAND_TAG = '\u0000band';

type LineDataset = ChartDataset<'line', XY[]>;

function font(size: number, weight: 'normal' | 'bold' = 'normal', style: 'normal' | 'italic' = 'normal') {
  return { family: FONT_FAMILY, size, weight, style } as const;
}

function datasets(prepared: PreparedPanel): LineDataset[] {
  const out: LineDataset[] = [];
  for (const s of prepared.series) {
    const { color, dash, pointStyle } = s.style;
    if (s.band) {
      const common = {
        borderWidth: 0,
        pointRadius: 0,
        pointHoverRadius: 0,
        spanGaps: false,
        tension: 0,
        order: 1, // drawn beneath every line (higher order = drawn first)
      };
      out.push({ ...common, label: BAND_TAG, data: s.band.lower, fill: false, borderColor: 'transparent' });
      out.push({
        ...common,
        label: BAND_TAG,
        data: s.band.upper,
        fill: '-1', // fill down to the previous dataset: the lower edge
        borderColor: 'transparent',
        backgroundColor: withAlpha(color, BAND_ALPHA),
      });
    }
    out.push({
      label: s.label,
      data: s.points,
      borderColor: color,
      backgroundColor: color,
      borderWidth: LINE_WIDTH,
      borderDash: dash,
      borderJoinStyle: 'round',
      showLine: s.drawLine,
      pointStyle,
      pointRadius: s.drawPoints ? POINT_RADIUS : 0,
      pointBorderWidth: 1.5,
      pointHoverRadius: 0,
      spanGaps: false, // NaN/Inf → null → a visible gap, not a misleading straight line
      tension: 0,
      fill: false,
      order: 0,
    });
  }
  return out;
}

/** Tick labels on log axes: only powers of ten (and 2, 5 × 10^k on short ranges); others blank. */
function logTickLabel(ticks: Tick[]): (value: number) => string {
  const values = ticks.map((t) => t.value).filter((v) => v > 0);
  const span = values.length > 1 ? Math.log10(Math.max(...values) / Math.min(...values)) : 0;
  const allowed = span > 2 ? [1] : [1, 2, 5];
  return (value) => {
    const mantissa = value / 10 ** Math.floor(Math.log10(value) + 1e-9);
    return allowed.some((m) => Math.abs(mantissa - m) < 1e-6) ? formatTick(value) : '';
  };
}

function axis(kind: 'linear' | 'log' | 'symlog', title: string, extra: Record<string, unknown>) {
  const type = kind === 'log' ? 'logarithmic' : kind;
  return {
    type,
    title: { display: true, text: title, color: INK, font: font(FONT_SIZES.axisTitle), padding: 4 },
    grid: {
      // No grid lines at unlabelled (minor) log ticks: they add clutter, not information.
      color: (c: ScriptableScaleContext) => (c.tick && c.tick.label === '' ? 'transparent' : GRID),
    },
    border: { color: AXIS_LINE },
    ticks: {
      color: INK,
      font: font(FONT_SIZES.tick),
      maxRotation: 0,
      autoSkip: kind !== 'log', // blank minor labels take no room; skipping could drop 10^k
      maxTicksLimit: kind === 'log' ? undefined : 8, // fewer, legible labels at paper size
      callback(this: { ticks: Tick[] }, value: number | string): string {
        const v = Number(value);
        return kind === 'log' ? logTickLabel(this.ticks)(v) : formatTick(v);
      },
    },
    ...extra,
  };
}

/**
 * Draws `hLines` as dashed grey lines across the plot area. Each label goes at whichever end of
 * its line (left/right, above/below) covers the fewest data points, so that e.g. a 2/η line that
 * a sharpness curve oscillates around is still labelled legibly.
 */
function referenceLinePlugin(all: { y: number; label: string; offscale?: 'above' | 'below' }[]): Plugin<'line'> {
  const lines = all.filter((l) => !l.offscale);
  const offscale = all.filter((l) => l.offscale);
  return {
    id: 'iblReferenceLines',
    afterDatasetsDraw(chart: ChartType<'line'>) {
      const { ctx, chartArea } = chart;
      const yScale = chart.scales.y;
      if (!yScale || all.length === 0) return;
      drawOffscaleMarkers(ctx, chartArea, offscale);
      const points: { x: number; y: number }[] = [];
      chart.data.datasets.forEach((ds, i) => {
        if (ds.label === BAND_TAG) return;
        for (const el of chart.getDatasetMeta(i).data) if (Number.isFinite(el.y)) points.push({ x: el.x, y: el.y });
      });
      for (const line of lines) {
        const py = yScale.getPixelForValue(line.y);
        if (!Number.isFinite(py) || py < chartArea.top - 0.5 || py > chartArea.bottom + 0.5) continue;
        ctx.save();
        ctx.strokeStyle = REFERENCE_LINE;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(chartArea.left, py);
        ctx.lineTo(chartArea.right, py);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.font = `${FONT_SIZES.note}px ${FONT_FAMILY}`;
        const w = ctx.measureText(line.label).width + 8;
        const h = FONT_SIZES.note + 4;
        const candidates = [
          { right: true, above: true },
          { right: false, above: true },
          { right: true, above: false },
          { right: false, above: false },
        ].filter((c) => (c.above ? py - h >= chartArea.top : py + h <= chartArea.bottom));
        let best = candidates[0] ?? { right: true, above: false };
        let bestCount = Infinity;
        for (const c of candidates) {
          const x0 = c.right ? chartArea.right - w : chartArea.left;
          const y0 = c.above ? py - h : py;
          const count = points.filter((p) => p.x >= x0 - 2 && p.x <= x0 + w + 2 && p.y >= y0 - 2 && p.y <= y0 + h + 2).length;
          if (count < bestCount) [best, bestCount] = [c, count];
        }
        ctx.textAlign = best.right ? 'right' : 'left';
        ctx.textBaseline = best.above ? 'bottom' : 'top';
        const tx = best.right ? chartArea.right - 4 : chartArea.left + 4;
        const ty = best.above ? py - 3 : py + 3;
        // A white halo keeps the label legible where it crosses a curve.
        ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
        ctx.lineWidth = 3;
        ctx.strokeText(line.label, tx, ty);
        ctx.fillStyle = REFERENCE_LINE;
        ctx.fillText(line.label, tx, ty);
        ctx.restore();
      }
    },
  };
}

/**
 * Reference lines far outside the data (panelData's `offscaleDirection`) as one short dashed tick
 * and label per edge — "↑ 2/η = 200, 100" at the top — so that the data keeps the axis.
 */
function drawOffscaleMarkers(ctx: ChartType<'line'>['ctx'], area: { left: number; right: number; top: number; bottom: number }, lines: { y: number; label: string; offscale?: 'above' | 'below' }[]): void {
  for (const side of ['above', 'below'] as const) {
    const group = lines.filter((l) => l.offscale === side).sort((a, b) => (side === 'above' ? a.y - b.y : b.y - a.y));
    if (group.length === 0) continue;
    const py = side === 'above' ? area.top + 1 : area.bottom - 1;
    const text = `${side === 'above' ? '↑' : '↓'} off scale: ${group.map((l) => l.label).join(', ')}`;
    ctx.save();
    ctx.strokeStyle = REFERENCE_LINE;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(area.right - 40, py);
    ctx.lineTo(area.right, py);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.font = `${FONT_SIZES.note}px ${FONT_FAMILY}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = side === 'above' ? 'top' : 'bottom';
    const ty = side === 'above' ? py + 3 : py - 3;
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
    ctx.lineWidth = 3;
    ctx.strokeText(text, area.right - 4, ty);
    ctx.fillStyle = REFERENCE_LINE;
    ctx.fillText(text, area.right - 4, ty);
    ctx.restore();
  }
}

export function buildChartConfig(panel: Panel, prepared: PreparedPanel, devicePixelRatio: number): ChartConfiguration<'line', XY[]> {
  const yExtra: Record<string, unknown> = {};
  if (prepared.yMin !== undefined) yExtra.min = prepared.yMin;
  if (prepared.yMax !== undefined) yExtra.max = prepared.yMax;
  if (prepared.suggestedMin !== undefined) yExtra.suggestedMin = prepared.suggestedMin;
  if (prepared.suggestedMax !== undefined) yExtra.suggestedMax = prepared.suggestedMax;
  if (prepared.linthresh !== undefined) yExtra.linthresh = prepared.linthresh;

  const defaultLabels = Chart.defaults.plugins.legend.labels.generateLabels;
  const config = {
    type: 'line',
    data: { datasets: datasets(prepared) },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio,
      events: [],
      layout: { padding: CHART_PADDING },
      scales: {
        x: axis(prepared.xScale, panel.xLabel, {}),
        y: axis(prepared.yScale, panel.yLabel, yExtra),
      },
      plugins: {
        title: {
          display: true,
          text: panel.title,
          color: INK,
          font: font(FONT_SIZES.panelTitle, 'bold'),
          padding: { top: 8, bottom: prepared.notes.length > 0 ? 2 : 6 },
        },
        subtitle: {
          display: prepared.notes.length > 0,
          text: prepared.notes,
          color: NOTE_INK,
          font: font(FONT_SIZES.note, 'normal', 'italic'),
          padding: { bottom: 4 },
        },
        legend: {
          display: prepared.series.length > 1,
          position: 'top',
          labels: {
            color: INK,
            font: font(FONT_SIZES.legend),
            usePointStyle: true,
            pointStyleWidth: LEGEND_SYMBOL_WIDTH,
            padding: LEGEND_PADDING,
            // Symbols are drawn by legendSymbols.ts; Chart.js only lays out the text.
            generateLabels(chart: ChartType): LegendItem[] {
              const ds = chart.data.datasets;
              return defaultLabels(chart)
                .filter((item) => item.datasetIndex === undefined || ds[item.datasetIndex]?.label !== BAND_TAG)
                .map((item) => ({
                  ...item,
                  pointStyle: 'line',
                  lineWidth: 0,
                  strokeStyle: 'transparent',
                  fillStyle: 'transparent',
                }));
            },
          },
        },
        tooltip: { enabled: false },
      },
    },
    plugins: [referenceLinePlugin(prepared.hLines), legendSymbolsPlugin(FONT_SIZES.legend)],
  };
  return config as unknown as ChartConfiguration<'line', XY[]>;
}
