/**
 * Typography and neutral colours shared by the line-chart panels and the heatmap.
 *
 * Sizes are CSS px at 1× and never below 12 px: a 480 px panel printed in a ~3.3 in paper column
 * is scaled to about 0.5, so 12 px lands near 6–7 pt, the smallest size journals accept.
 * The family is DejaVu Sans loaded from an npm package (fonts.ts), so every machine draws the
 * same glyphs; the generic fallback is only reached if that registration was skipped.
 */
import { FIGURE_FONT_FAMILY } from './fonts.ts';

export const FONT_FAMILY = `'${FIGURE_FONT_FAMILY}', sans-serif`;

export const FONT_SIZES = {
  figureTitle: 16,
  panelTitle: 14,
  axisTitle: 13,
  tick: 12,
  legend: 12,
  note: 12,
} as const;

export const INK = '#222222';
export const GRID = '#e3e3e3';
export const AXIS_LINE = '#555555';
export const NOTE_INK = '#8a3b00';
export const REFERENCE_LINE = '#555555';
/** Heatmap cells whose value is NaN/Inf (e.g. a diverged evaluation). Not on the viridis map. */
export const MISSING_CELL = '#d0d0d0';
