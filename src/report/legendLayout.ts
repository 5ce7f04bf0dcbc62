/**
 * Predicting how many rows Chart.js will need for a panel's legend, so that the figure grid can
 * make panels taller instead of letting a long legend squeeze the plot (or, past Chart.js's
 * height limit, overlap it). Mirrors Chart.js 4's horizontal legend packing (Legend._fitRows).
 */
import { createCanvas } from '@napi-rs/canvas';
import { registerFigureFonts } from './fonts.ts';
import { LEGEND_SYMBOL_WIDTH } from './legendSymbols.ts';
import { FONT_FAMILY, FONT_SIZES } from './theme.ts';

/** Chart.js legend `labels.padding`: space between items and between rows (CSS px). */
export const LEGEND_PADDING = 10;
/** Height of one legend row: item height (the font size) plus padding. */
export const LEGEND_ROW_HEIGHT = FONT_SIZES.legend + LEGEND_PADDING;

let scratch: ReturnType<ReturnType<typeof createCanvas>['getContext']> | undefined;

/** Rows a horizontal legend with these labels needs within `maxWidth` CSS px. */
export function legendRowCount(labels: string[], maxWidth: number): number {
  if (labels.length === 0) return 0;
  registerFigureFonts();
  scratch ??= createCanvas(1, 1).getContext('2d');
  scratch.font = `${FONT_SIZES.legend}px ${FONT_FAMILY}`;
  let rows = 1;
  let lineWidth = 0;
  labels.forEach((label, i) => {
    const itemWidth = LEGEND_SYMBOL_WIDTH + FONT_SIZES.legend / 2 + scratch!.measureText(label).width;
    if (i > 0 && lineWidth + itemWidth + 2 * LEGEND_PADDING > maxWidth) {
      rows++;
      lineWidth = 0;
    }
    lineWidth += itemWidth + LEGEND_PADDING;
  });
  return rows;
}
