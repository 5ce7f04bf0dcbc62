/**
 * Legend symbols that show a series' line *and* marker, as matplotlib does.
 *
 * Chart.js draws one legend symbol per item: a point style or, with pointStyle 'line', a line.
 * For greyscale-safe figures the reader needs both the dash pattern and the marker, and
 * Chart.js stretches round markers into ellipses when the symbol is made wide enough to show a
 * dash. So the legend items are given an invisible symbol (Chart.js still reserves the space
 * and lays out the text) and this plugin draws the real symbols, as vectors, afterwards.
 */
import type { Chart, ChartDataset, Plugin, PointStyle } from 'chart.js';
import { drawPoint } from 'chart.js/helpers';

/** Width reserved for a legend symbol (CSS px): room for two periods of the longest dash. */
export const LEGEND_SYMBOL_WIDTH = 32;

interface HitBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface SymbolSpec {
  color: string;
  dash: number[];
  lineWidth: number;
  /** null → no line in the symbol (points-only series). */
  showLine: boolean;
  /** null → no marker. */
  marker: { style: PointStyle; radius: number; borderWidth: number } | null;
}

/** How a dataset's legend symbol should look, read from the dataset itself. */
export function symbolOf(ds: ChartDataset<'line'>): SymbolSpec {
  const radius = typeof ds.pointRadius === 'number' ? ds.pointRadius : 0;
  return {
    color: String(ds.borderColor),
    dash: Array.isArray(ds.borderDash) ? (ds.borderDash as number[]) : [],
    lineWidth: typeof ds.borderWidth === 'number' ? ds.borderWidth : 2,
    showLine: ds.showLine !== false,
    marker:
      radius > 0
        ? { style: (ds.pointStyle ?? 'circle') as PointStyle, radius: Math.max(radius, 3.5), borderWidth: 1.5 }
        : null,
  };
}

export function legendSymbolsPlugin(fontSize: number): Plugin<'line'> {
  return {
    id: 'iblLegendSymbols',
    afterDraw(chart: Chart<'line'>) {
      const legend = chart.legend as unknown as { legendHitBoxes?: HitBox[]; legendItems?: { datasetIndex?: number }[] } | undefined;
      if (!legend || !chart.options.plugins?.legend?.display) return;
      const boxes = legend.legendHitBoxes ?? [];
      const items = legend.legendItems ?? [];
      const ctx = chart.ctx;
      items.forEach((item, i) => {
        const box = boxes[i];
        if (!box || item.datasetIndex === undefined) return;
        const ds = chart.data.datasets[item.datasetIndex] as ChartDataset<'line'> | undefined;
        if (!ds) return;
        const sym = symbolOf(ds);
        const y = box.top + fontSize / 2;
        const x0 = box.left;
        const x1 = box.left + LEGEND_SYMBOL_WIDTH;
        ctx.save();
        ctx.strokeStyle = sym.color;
        ctx.fillStyle = sym.color;
        if (sym.showLine) {
          ctx.lineWidth = sym.lineWidth;
          ctx.setLineDash(sym.dash);
          ctx.beginPath();
          ctx.moveTo(x0, y);
          ctx.lineTo(x1, y);
          ctx.stroke();
        }
        if (sym.marker) {
          ctx.setLineDash([]);
          ctx.lineWidth = sym.marker.borderWidth;
          drawPoint(ctx, { pointStyle: sym.marker.style, radius: sym.marker.radius, borderWidth: sym.marker.borderWidth }, (x0 + x1) / 2, y);
        }
        ctx.restore();
      });
    },
  };
}
