/**
 * Colours and line styles for figures.
 *
 * Categorical colours are the Okabe & Ito (2008) "Color Universal Design" set, which stays
 * distinguishable under the common forms of colour-vision deficiency. Colour alone is still not
 * enough for a figure that may be printed in greyscale, so every series also gets its own dash
 * pattern and point marker (see {@link seriesStyle}).
 *
 * The sequential map for heatmaps is viridis (van der Walt & Smith, 2015; CC0), which is
 * perceptually uniform — equal steps in value look like equal steps in colour — and whose
 * lightness increases monotonically, so it also reads correctly in greyscale.
 */

/**
 * Okabe–Ito colours, ordered so that the first few are the most distinguishable from one
 * another (in hue *and* lightness, for deuteranopes as well as trichromats) and from white:
 * blue vs. vermillion is the strongest pair; bluish green differs from both; orange differs
 * from vermillion mainly in lightness. Yellow comes last because it has little contrast
 * against a white background; black comes just before it because reference lines use grey.
 */
export const OKABE_ITO: readonly string[] = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#E69F00', // orange
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow
];

/**
 * Canvas dash patterns (in CSS px at 1×), index 0 solid. Their ink densities and rhythms
 * differ so that they can be told apart in greyscale and at small print size.
 */
export const DASH_PATTERNS: readonly (readonly number[])[] = [
  [],
  [8, 4],
  [2, 3],
  [10, 3, 2, 3],
  [4, 2],
  [12, 4, 2, 4, 2, 4],
  [1, 5],
  [16, 6],
];

/** Chart.js point styles, chosen to differ in shape, not only in size. */
export const POINT_STYLES = [
  'circle',
  'triangle',
  'rect',
  'crossRot',
  'rectRot',
  'star',
  'cross',
  'rectRounded',
] as const;
export type PointStyleName = (typeof POINT_STYLES)[number];

/** The colour/dash/marker triple for the i-th series of a panel. */
export interface SeriesStyle {
  color: string;
  dash: number[];
  pointStyle: PointStyleName;
}

/**
 * Style of the `index`-th series. `dashed`: undefined → the index's own pattern (series 0 solid,
 * later series each dashed differently, so that greyscale prints stay readable); true → the same,
 * except that series 0 (and every 8th) gets the first dashed pattern instead of solid;
 * false → solid.
 */
export function seriesStyle(index: number, dashed?: boolean): SeriesStyle {
  const i = ((index % OKABE_ITO.length) + OKABE_ITO.length) % OKABE_ITO.length;
  let dash: readonly number[];
  if (dashed === false) dash = [];
  else if (dashed === true) dash = DASH_PATTERNS[i % DASH_PATTERNS.length === 0 ? 1 : i % DASH_PATTERNS.length]!;
  else dash = DASH_PATTERNS[i % DASH_PATTERNS.length]!;
  return {
    color: OKABE_ITO[i]!,
    dash: [...dash],
    pointStyle: POINT_STYLES[i % POINT_STYLES.length]!,
  };
}

/** '#rrggbb' → [r, g, b] in 0..255. */
export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`hexToRgb: not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** '#rrggbb' plus alpha in [0, 1] → 'rgba(r, g, b, a)', for translucent error bands. */
export function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = hexToRgb(hex);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * Viridis sampled at 33 evenly spaced stops (t = k/32) from the 256-entry reference table.
 * Linear interpolation between these stops stays within about one 8-bit level of the full
 * table, which is well below what the eye (or a PNG test) can distinguish.
 */
export const VIRIDIS_STOPS: readonly string[] = [
  '#440154', '#470d60', '#48186a', '#482374', '#472d7b', '#453781',
  '#424086', '#3e4989', '#3b528b', '#375b8d', '#33638d', '#2f6b8e',
  '#2c728e', '#297a8e', '#26828e', '#23898e', '#21918c', '#1f978b',
  '#1f9f88', '#21a685', '#27ad81', '#31b57b', '#3dbc74', '#4cc26c',
  '#5cc863', '#6ece58', '#81d34d', '#95d840', '#aadc32', '#c0df25',
  '#d5e21a', '#eae51a', '#fde725',
];

const VIRIDIS_RGB = VIRIDIS_STOPS.map(hexToRgb);

/**
 * Viridis colour for t in [0, 1] (clamped) as integer [r, g, b]. Non-finite t has no colour
 * on this map; callers must handle it (the heatmap paints such cells a neutral grey).
 */
export function viridisRgb(t: number): [number, number, number] {
  if (!Number.isFinite(t)) throw new Error(`viridisRgb: non-finite t (${t})`);
  const c = Math.min(1, Math.max(0, t)) * (VIRIDIS_RGB.length - 1);
  const i = Math.min(VIRIDIS_RGB.length - 2, Math.floor(c));
  const f = c - i;
  const a = VIRIDIS_RGB[i]!;
  const b = VIRIDIS_RGB[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + f * (b[k]! - a[k]!))) as [number, number, number];
}

/** Viridis colour for t in [0, 1] as a CSS 'rgb(r, g, b)' string. */
export function viridis(t: number): string {
  const [r, g, b] = viridisRgb(t);
  return `rgb(${r}, ${g}, ${b})`;
}
