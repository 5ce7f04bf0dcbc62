/**
 * The data behind a figure, as CSV beside the image (same base name, `.csv`), so a reader can
 * redraw it in their own tool. One row per point actually drawn: a point the figure leaves out
 * (NaN/Inf, or ≤ 0 on a log axis — the panel's note says so) has no row, so the rows are exactly
 * what the image shows. Reference lines (e.g. 2/η) are rows of kind `reference` with an empty x.
 *
 * Tidy ("long") layout — panel, series, kind, x_axis, y_axis, x, y, y_lower, y_upper — rather
 * than one column per series, because series of one figure rarely share their x values.
 */
import type { Figure } from './figure.ts';
import type { HeatmapSpec } from './heatmap.ts';
import { preparePanel } from './panelData.ts';

export const FIGURE_CSV_COLUMNS = ['panel', 'series', 'kind', 'x_axis', 'y_axis', 'x', 'y', 'y_lower', 'y_upper'] as const;

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? numberText(value) : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Shortest text that parses back to the same double (JS's own number → string). */
function numberText(v: number): string {
  return Number.isFinite(v) ? String(v) : '';
}

export function csvLine(fields: (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',');
}

export function figureCsv(fig: Figure): string {
  const lines = [FIGURE_CSV_COLUMNS.join(',')];
  for (const panel of fig.panels) {
    const prepared = preparePanel(panel);
    for (const s of prepared.series) {
      s.points.forEach((p, i) => {
        if (p.y === null) return;
        const lower = s.band?.lower[i]?.y;
        const upper = s.band?.upper[i]?.y;
        lines.push(csvLine([panel.title, s.label, 'point', panel.xLabel, panel.yLabel, p.x, p.y, lower, upper]));
      });
    }
    for (const h of prepared.hLines) {
      lines.push(csvLine([panel.title, h.label, 'reference', panel.xLabel, panel.yLabel, null, h.y, null, null]));
    }
  }
  return `${lines.join('\n')}\n`;
}

export const HEATMAP_CSV_COLUMNS = ['x_axis', 'y_axis', 'value_axis', 'x', 'y', 'value'] as const;

/** One row per cell (NaN/Inf cells are drawn — grey — so they have rows, with an empty value). */
export function heatmapCsv(spec: HeatmapSpec): string {
  const flat = Array.isArray(spec.values[0]) ? (spec.values as number[][]).flat() : (spec.values as number[]);
  const lines = [HEATMAP_CSV_COLUMNS.join(',')];
  spec.ys.forEach((y, i) => {
    spec.xs.forEach((x, j) => {
      lines.push(csvLine([spec.xLabel, spec.yLabel, spec.colorbarLabel, x, y, flat[i * spec.xs.length + j]]));
    });
  });
  return `${lines.join('\n')}\n`;
}
